"""Form definitions as data: validating a definition when staff save it, taking its
snapshot, and checking a citizen's answers against a snapshot. Pure logic over plain
dicts (no database), so a stored snapshot validates exactly like the live definition."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bawaba.core.digits import ascii_digits
from bawaba.core.errors import ValidationError
from bawaba.core.national_id import normalize_national_number
from bawaba.core.phones import normalize_jordan_mobile

KINDS = ("text", "number", "date", "choice", "national_number", "phone", "file")
PREFILLS = ("", "name", "national_number", "phone")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEXT_DEFAULT_MAX = 1000
TEXT_HARD_MAX = 5000
REGEX_MAX = 300

# Allowed upload types: the name shown to staff, the MIME type, the extensions, and the
# magic bytes the file must start with (the real type, not the name the browser sent).
FILE_TYPES: dict[str, tuple[str, tuple[str, ...], tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (".pdf",), (b"%PDF-",)),
    "png": ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
}
DEFAULT_FILE_TYPES = ("pdf", "png", "jpeg")
FILE_HARD_MAX_KB = 10 * 1024
FILE_DEFAULT_MAX_KB = 5 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_REL = re.compile(r"^today(?:([+-])(\d{1,3})([dy]))?$")


def _tr(d: dict, name: str) -> str:
    lang = (translation.get_language() or "ar")[:2]
    return str(d.get(f"{name}_en" if lang == "en" else f"{name}_ar") or d.get(f"{name}_ar") or "")


def resolve_date(spec: str, today: dt.date | None = None) -> dt.date | None:
    """'2026-01-31', 'today', 'today-18y', 'today+30d' → a date (None for empty)."""
    spec = (spec or "").strip()
    if not spec:
        return None
    today = today or timezone.localdate()
    m = _DATE_REL.match(spec)
    if m:
        if not m.group(1):
            return today
        n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
        if m.group(3) == "d":
            return today + dt.timedelta(days=n)
        year = today.year + n
        try:
            return today.replace(year=year)
        except ValueError:  # 29 February
            return today.replace(year=year, day=28)
    return dt.date.fromisoformat(spec)


def _dec(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def field_snapshot(f: Any) -> dict[str, Any]:
    """One FormField (or any object with the same attributes) as a plain dict."""
    types = [t.strip().lower() for t in (f.file_types or "").split(",") if t.strip()]
    return {
        "key": f.key,
        "kind": f.kind,
        "prefill": f.prefill or "",
        "required": bool(f.required),
        "label_ar": f.label_ar,
        "label_en": f.label_en,
        "help_ar": f.help_ar or "",
        "help_en": f.help_en or "",
        "choices": list(f.choices or []),
        "min_length": f.min_length,
        "max_length": f.max_length,
        "min_value": _dec(f.min_value),
        "max_value": _dec(f.max_value),
        "regex": f.regex or "",
        "regex_message_ar": f.regex_message_ar or "",
        "regex_message_en": f.regex_message_en or "",
        "date_min": f.date_min or "",
        "date_max": f.date_max or "",
        "file_types": types,
        "max_size_kb": f.max_size_kb,
    }


def definition_check(fields: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Problems with a definition, by field key ('' for the whole form). Empty = valid."""
    problems: dict[str, list[str]] = {}

    def add(key: str, msg: str) -> None:
        problems.setdefault(key, []).append(msg)

    if not fields:
        add("", _("A form needs at least one field."))
    seen: set[str] = set()
    prefills: set[str] = set()
    for f in fields:
        key = f.get("key") or ""
        if not KEY_RE.match(key):
            add(key, _("Keys start with a lower-case letter and use only a–z, 0–9 and _."))
        if key in seen:
            add(key, _("Two fields have the same key."))
        seen.add(key)
        kind = f.get("kind")
        if kind not in KINDS:
            add(key, _("Unknown field kind."))
            continue
        if not (f.get("label_ar") or "").strip() or not (f.get("label_en") or "").strip():
            add(key, _("Every field needs an Arabic and an English label."))
        prefill = f.get("prefill") or ""
        if prefill not in PREFILLS:
            add(key, _("Unknown identity value."))
        elif prefill:
            if prefill in prefills:
                add(key, _("Each identity value can fill only one field."))
            prefills.add(prefill)
            expected = {"name": "text", "national_number": "national_number", "phone": "phone"}[prefill]
            if kind != expected:
                add(key, _("This identity value needs a field of kind “%(kind)s”.") % {"kind": expected})
        lo, hi = f.get("min_length"), f.get("max_length")
        if lo is not None and hi is not None and lo > hi:
            add(key, _("The minimum length is larger than the maximum length."))
        if hi is not None and hi > TEXT_HARD_MAX:
            add(key, _("The maximum length can be at most %(n)s.") % {"n": TEXT_HARD_MAX})
        if f.get("min_value") is not None and f.get("max_value") is not None:
            if Decimal(f["min_value"]) > Decimal(f["max_value"]):
                add(key, _("The minimum value is larger than the maximum value."))
        regex = f.get("regex") or ""
        if regex:
            if len(regex) > REGEX_MAX:
                add(key, _("The pattern is too long."))
            else:
                try:
                    re.compile(regex)
                except re.error:
                    add(key, _("The pattern is not a valid regular expression."))
        for name in ("date_min", "date_max"):
            try:
                resolve_date(f.get(name) or "")
            except ValueError:
                add(key, _("Dates are written YYYY-MM-DD, 'today', or like 'today-18y' or 'today+30d'."))
        if kind == "choice":
            choices = f.get("choices")
            ok = isinstance(choices, list) and len(choices) >= 1
            values = set()
            if ok:
                for c in choices:
                    if not (
                        isinstance(c, dict)
                        and str(c.get("value") or "").strip()
                        and str(c.get("label_ar") or "").strip()
                        and str(c.get("label_en") or "").strip()
                    ):
                        ok = False
                        break
                    values.add(str(c["value"]))
                ok = ok and len(values) == len(choices)
            if not ok:
                add(
                    key,
                    _(
                        "A choice field needs choices, each with a distinct value and Arabic and English labels."
                    ),
                )
        if kind == "file":
            types = f.get("file_types") or []
            unknown = [t for t in types if t not in FILE_TYPES]
            if unknown:
                add(
                    key,
                    _("Unknown file types: %(types)s. Allowed: pdf, png, jpeg.")
                    % {"types": ", ".join(unknown)},
                )
            size = f.get("max_size_kb")
            if size is not None and (size < 1 or size > FILE_HARD_MAX_KB):
                add(key, _("The maximum file size must be between 1 and %(n)s KB.") % {"n": FILE_HARD_MAX_KB})
    return problems


# --- answers -------------------------------------------------------------------------


@dataclass
class CleanedFile:
    key: str
    name: str
    content_type: str
    data: bytes


@dataclass
class Cleaned:
    values: dict[str, str] = field(default_factory=dict)
    files: dict[str, CleanedFile] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _clean_text(f: dict, raw: str) -> str:
    value = _CONTROL.sub("", raw).strip()
    lo, hi = f.get("min_length"), f.get("max_length") or TEXT_DEFAULT_MAX
    if len(value) > hi:
        raise ValidationError(_("Write at most %(n)s characters.") % {"n": hi})
    if lo and len(value) < lo:
        raise ValidationError(_("Write at least %(n)s characters.") % {"n": lo})
    regex = f.get("regex") or ""
    if regex:
        try:
            matched = re.fullmatch(regex, value)
        except re.error:  # a tampered definition: refuse rather than crash
            raise ValidationError(_("This form is being updated. Please try again later."))
        if not matched:
            raise ValidationError(_tr(f, "regex_message") or _("This is not in the expected format."))
    return value


def _clean_value(f: dict, raw: str) -> str:
    kind = f["kind"]
    if kind == "text":
        return _clean_text(f, raw)
    value = ascii_digits(_CONTROL.sub("", raw)).strip()
    if kind == "number":
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise ValidationError(_("Enter a number, e.g. 12 or 3.5."))
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise ValidationError(_("Enter a number, e.g. 12 or 3.5."))
        if f.get("min_value") is not None and number < Decimal(f["min_value"]):
            raise ValidationError(_("Enter %(n)s or more.") % {"n": f["min_value"]})
        if f.get("max_value") is not None and number > Decimal(f["max_value"]):
            raise ValidationError(_("Enter %(n)s or less.") % {"n": f["max_value"]})
        return str(number)
    if kind == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("Enter a date as year-month-day, e.g. 2026-03-15."))
        lo = resolve_date(f.get("date_min") or "")
        hi = resolve_date(f.get("date_max") or "")
        if lo and day < lo:
            raise ValidationError(_("The date must be on or after %(d)s.") % {"d": lo.isoformat()})
        if hi and day > hi:
            raise ValidationError(_("The date must be on or before %(d)s.") % {"d": hi.isoformat()})
        return day.isoformat()
    if kind == "choice":
        values = {str(c.get("value")) for c in f.get("choices") or [] if isinstance(c, dict)}
        if value not in values:
            raise ValidationError(_("Choose one of the options."))
        return value
    if kind == "national_number":
        return normalize_national_number(value)  # raises a translated ValidationError
    if kind == "phone":
        return normalize_jordan_mobile(value)  # raises a translated ValidationError
    raise ValidationError(_("This form is being updated. Please try again later."))


def sniff_type(data: bytes) -> str | None:
    for name, (_mime, _exts, magics) in FILE_TYPES.items():
        if any(data.startswith(m) for m in magics):
            return name
    return None


def _clean_file(f: dict, upload: Any) -> CleanedFile:
    allowed = [t for t in (f.get("file_types") or DEFAULT_FILE_TYPES) if t in FILE_TYPES]
    max_kb = min(f.get("max_size_kb") or FILE_DEFAULT_MAX_KB, FILE_HARD_MAX_KB)
    names = ", ".join(t.upper() for t in allowed)
    if upload.size > max_kb * 1024:
        raise ValidationError(
            _("The file is too large: the limit is %(limit)s KB and it has %(size)s KB.")
            % {"limit": max_kb, "size": (upload.size + 1023) // 1024}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    name = re.sub(r"[^\w.\- ]", "_", (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[-120:]
    data = upload.read(max_kb * 1024 + 1)
    if len(data) > max_kb * 1024:
        raise ValidationError(_("The file is too large: the limit is %(limit)s KB.") % {"limit": max_kb})
    real = sniff_type(data)
    ext_ok = real is not None and name.lower().endswith(FILE_TYPES[real][1])
    if real not in allowed or not ext_ok:
        raise ValidationError(
            _("This type of file is not accepted. Upload one of: %(types)s.") % {"types": names}
        )
    return CleanedFile(key=f["key"], name=name or "file", content_type=FILE_TYPES[real][0], data=data)


def answers_clean(
    fields: list[dict[str, Any]],
    posted: Any,
    uploads: Any,
    *,
    identity: dict[str, str],
    existing_files: set[str] | frozenset[str] = frozenset(),
    partial: bool = False,
) -> Cleaned:
    """Check posted answers against a definition snapshot. Keys not in the definition are
    ignored; identity-filled fields take the identity's value whatever was posted. With
    `partial` (saving a draft), missing required answers are not errors and invalid
    answers are dropped rather than reported."""
    out = Cleaned()
    for f in fields:
        key = f["key"]
        try:
            if f.get("prefill"):
                out.values[key] = identity.get(f["prefill"], "") or ""
                if f.get("required") and not out.values[key] and not partial:
                    raise ValidationError(
                        _("Your digital identity has no value for this. Please add it in your account first.")
                    )
                continue
            if f["kind"] == "file":
                upload = uploads.get(key) if uploads is not None else None
                if upload is not None and getattr(upload, "size", 0):
                    out.files[key] = _clean_file(f, upload)
                elif f.get("required") and key not in existing_files and not partial:
                    raise ValidationError(_("Upload a file."))
                continue
            raw = posted.get(key, "") if posted is not None else ""
            raw = raw if isinstance(raw, str) else ""
            if len(raw) > TEXT_HARD_MAX * 2:
                raise ValidationError(
                    _("Write at most %(n)s characters.") % {"n": f.get("max_length") or TEXT_DEFAULT_MAX}
                )
            if not raw.strip():
                if f.get("required") and not partial:
                    raise ValidationError(_("This is required."))
                out.values[key] = ""
                continue
            out.values[key] = _clean_value(f, raw)
        except ValidationError as exc:
            if partial:
                raw = posted.get(key, "") if posted is not None and f["kind"] != "file" else ""
                if isinstance(raw, str) and f["kind"] != "file":
                    out.values[key] = _CONTROL.sub("", raw)[:TEXT_HARD_MAX]
                if f["kind"] == "file":
                    out.errors[key] = str(exc.message)
                continue
            out.errors[key] = str(exc.message)
    return out


def label(f: dict) -> str:
    return _tr(f, "label")


def help_text(f: dict) -> str:
    return _tr(f, "help")


def choice_label(f: dict, value: str) -> str:
    for c in f.get("choices") or []:
        if isinstance(c, dict) and str(c.get("value")) == value:
            return _tr(c, "label")
    return value
