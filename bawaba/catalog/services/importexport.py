"""Import and export of the catalogue as JSON (everything) or CSV (services).

Import is all-or-nothing: the whole file is validated first and every problem is reported
with where it is (JSON path or CSV row number); nothing is written unless all is valid."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import ValidationError

from ..constants import ACR_CHOICES, AGENCY_KINDS, CHANNEL_KEYS, GOVERNORATE_CHOICES, WEEKDAYS
from ..models import Agency, Category, Fee, LifeEvent, Service, ServiceCentre, ServiceRevision
from ..serialise import (
    AGENCY_FIELDS,
    CENTRE_FIELDS,
    SERVICE_LIST_FIELDS,
    SERVICE_TEXT_FIELDS,
    agency_to_dict,
    category_to_dict,
    diff,
    life_event_to_dict,
    service_to_dict,
    slug_ok,
)
from .indexing import search_index_rebuild

FORMAT = "bawaba-catalogue"
FORMAT_VERSION = 1
CSV_COLUMNS = (
    ["slug", "status", "agency"]
    + SERVICE_TEXT_FIELDS
    + SERVICE_LIST_FIELDS
    + [
        "fees",
        "categories",
        "life_events",
        "related",
        "online_application",
        "min_acr",
        "popularity",
        "last_reviewed",
    ]
)
_CSV_LINES = {"documents_ar", "documents_en", "steps_ar", "steps_en", "sources"}
_CSV_WORDS = {"channels", "categories", "life_events", "related"}
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _services_qs():  # type: ignore[no-untyped-def]
    return (
        Service.objects.select_related("agency")
        .prefetch_related("fees", "categories", "life_events", "related")
        .order_by("slug")
    )


def catalogue_export(*, fmt: str = "json", actor: Any = None) -> str:
    """The catalogue as text: JSON (agencies, centres, categories, life events, services)
    or CSV (one service per row)."""
    if fmt == "json":
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
            "life_events": [life_event_to_dict(e) for e in LifeEvent.objects.all()],
            "categories": [category_to_dict(c) for c in Category.objects.all()],
            "agencies": [
                agency_to_dict(a) for a in Agency.objects.select_related("parent").prefetch_related("centres")
            ],
            "services": [service_to_dict(s) for s in _services_qs()],
        }
        text = json.dumps(data, ensure_ascii=False, indent=1)
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for s in _services_qs():
            writer.writerow(_to_csv_row(service_to_dict(s)))
        text = buf.getvalue()
    else:
        raise ValidationError(_("Unknown export format; use json or csv."), field="format")
    audit_record(action="catalog.exported", actor=actor, data={"format": fmt})
    return text


def _to_csv_row(d: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for col in CSV_COLUMNS:
        value = d.get(col)
        if col in _CSV_LINES:
            row[col] = "\n".join(value or [])
        elif col in _CSV_WORDS:
            row[col] = " ".join(value or [])
        elif col == "fees":
            row[col] = json.dumps(value or [], ensure_ascii=False)
        elif col == "online_application":
            row[col] = "true" if value else "false"
        elif value is None:
            row[col] = ""
        else:
            row[col] = str(value)
    return row


def _from_csv_row(row: dict[str, str], where: str, errors: list[str]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for col in CSV_COLUMNS:
        raw = (row.get(col) or "").strip() if col not in _CSV_LINES else (row.get(col) or "")
        if col in _CSV_LINES:
            d[col] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif col in _CSV_WORDS:
            d[col] = raw.split()
        elif col == "fees":
            try:
                d[col] = json.loads(raw) if raw else []
            except json.JSONDecodeError:
                errors.append(_("%(where)s: fees is not valid JSON.") % {"where": where})
                d[col] = []
        elif col == "online_application":
            if raw.lower() not in ("", "true", "false", "1", "0", "yes", "no"):
                errors.append(_("%(where)s: online_application must be true or false.") % {"where": where})
            d[col] = raw.lower() in ("true", "1", "yes")
        elif col == "popularity":
            d[col] = int(raw) if raw.isdigit() else (0 if not raw else raw)
        elif col == "last_reviewed":
            d[col] = raw or None
        else:
            d[col] = raw
    return d


def catalogue_import_file(*, content: bytes | str, filename: str = "", actor: Any = None) -> dict[str, int]:
    """Parse a JSON or CSV file (decided by the name, else by the content) and import it."""
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is too large (20 MB at most)."))
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text."))
    else:
        text = content
    is_json = filename.lower().endswith(".json") or (
        not filename.lower().endswith(".csv") and text.lstrip()[:1] == "{"
    )
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("The JSON is not valid (line %(line)s, column %(col)s).")
                % {"line": exc.lineno, "col": exc.colno}
            )
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValidationError(
                _("This is not a Bawaba catalogue export (format must be %(f)s).") % {"f": FORMAT}
            )
        return catalogue_import(data=data, actor=actor)
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("slug", "agency", "name_ar", "name_en") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(_("The CSV header lacks columns: %(cols)s.") % {"cols": ", ".join(missing)})
    services: list[dict] = []
    for row in reader:
        # reader.line_num is the physical line where the row ends; rows may span lines.
        services.append(_from_csv_row(row, _("row %(n)s") % {"n": len(services) + 2}, errors))
    if errors:
        raise ValidationError(_("The import was refused; nothing was changed."), details={"errors": errors})
    return catalogue_import(data={"format": FORMAT, "services": services}, actor=actor, csv_rows=True)


def _is_text(v: Any) -> bool:
    return isinstance(v, str)


def _validate(data: dict[str, Any], csv_rows: bool) -> list[str]:  # noqa: C901 - one flat checklist
    errors: list[str] = []
    file_agencies = set()
    file_events = set()
    file_categories = set()

    def at(kind: str, i: int) -> str:
        if csv_rows and kind == "services":
            return _("row %(n)s") % {"n": i + 2}
        return f"{kind}[{i}]"

    for key in ("life_events", "categories", "agencies", "services"):
        if key in data and not isinstance(data[key], list):
            errors.append(_("%(key)s must be a list.") % {"key": key})
            return errors
    for i, e in enumerate(data.get("life_events", [])):
        if not isinstance(e, dict) or not _is_text(e.get("key")) or not e.get("key"):
            errors.append(_("%(where)s: a key is required.") % {"where": at("life_events", i)})
            continue
        file_events.add(e["key"])
    for i, c in enumerate(data.get("categories", [])):
        if not isinstance(c, dict) or not _is_text(c.get("key")) or not slug_ok(c["key"]):
            errors.append(_("%(where)s: the key must be a slug.") % {"where": at("categories", i)})
            continue
        file_categories.add(c["key"])
    kinds = {k for k, _l in AGENCY_KINDS}
    governorates = {k for k, _l in GOVERNORATE_CHOICES}
    days = {k for k, _l in WEEKDAYS}
    for i, a in enumerate(data.get("agencies", [])):
        where = at("agencies", i)
        if not isinstance(a, dict):
            errors.append(_("%(where)s: must be an object.") % {"where": where})
            continue
        code = a.get("code")
        if not _is_text(code) or not code or not code.replace("-", "").isalnum() or code.upper() != code:
            errors.append(
                _("%(where)s: code must be capital letters, digits and hyphens.") % {"where": where}
            )
            continue
        file_agencies.add(code)
        for f in ("name_ar", "name_en"):
            if not _is_text(a.get(f)) or not a.get(f, "").strip():
                errors.append(_("%(where)s: %(field)s is required.") % {"where": where, "field": f})
        if a.get("kind", "department") not in kinds:
            errors.append(_("%(where)s: unknown kind %(v)r.") % {"where": where, "v": a.get("kind")})
        for j, c in enumerate(a.get("centres", []) or []):
            cw = f"{where}.centres[{j}]"
            if not isinstance(c, dict) or c.get("governorate") not in governorates:
                errors.append(_("%(where)s: unknown governorate.") % {"where": cw})
                continue
            if any(d not in days for d in c.get("working_days", []) or []):
                errors.append(_("%(where)s: unknown working day.") % {"where": cw})
            for f in ("opens_at", "closes_at"):
                try:
                    dt.time.fromisoformat(str(c.get(f, "08:00")))
                except ValueError:
                    errors.append(
                        _("%(where)s: %(field)s must be a time like 08:00.") % {"where": cw, "field": f}
                    )
    known_agencies = file_agencies | set(Agency.objects.values_list("code", flat=True))
    known_events = file_events | set(LifeEvent.objects.values_list("key", flat=True))
    known_categories = file_categories | set(Category.objects.values_list("key", flat=True))
    slugs: set[str] = set()
    statuses = {s for s, _l in Service.Status.choices}
    acrs = {a for a, _l in ACR_CHOICES}
    services = data.get("services", [])
    for i, s in enumerate(services):
        where = at("services", i)
        if not isinstance(s, dict):
            errors.append(_("%(where)s: must be an object.") % {"where": where})
            continue
        slug = s.get("slug")
        if not isinstance(slug, str) or not _is_text(slug) or not slug_ok(slug) or len(slug) > 80:
            errors.append(
                _("%(where)s: slug must be lower-case letters, digits and hyphens.") % {"where": where}
            )
        elif slug in slugs:
            errors.append(_("%(where)s: slug %(slug)s appears twice.") % {"where": where, "slug": slug})
        else:
            slugs.add(slug)
        if s.get("agency") not in known_agencies:
            errors.append(_("%(where)s: unknown agency %(v)r.") % {"where": where, "v": s.get("agency")})
        for f in ("name_ar", "name_en"):
            if not _is_text(s.get(f)) or not s.get(f, "").strip():
                errors.append(_("%(where)s: %(field)s is required.") % {"where": where, "field": f})
            elif len(s[f]) > 200:
                errors.append(_("%(where)s: %(field)s is too long.") % {"where": where, "field": f})
        for f in SERVICE_TEXT_FIELDS:
            if f in s and not _is_text(s[f]):
                errors.append(_("%(where)s: %(field)s must be text.") % {"where": where, "field": f})
        for f in SERVICE_LIST_FIELDS:
            if f in s and (not isinstance(s[f], list) or not all(_is_text(x) for x in s[f])):
                errors.append(
                    _("%(where)s: %(field)s must be a list of texts.") % {"where": where, "field": f}
                )
        if s.get("status", "draft") not in statuses:
            errors.append(_("%(where)s: unknown status %(v)r.") % {"where": where, "v": s.get("status")})
        if s.get("min_acr", "loa-low") not in acrs:
            errors.append(
                _("%(where)s: unknown assurance level %(v)r.") % {"where": where, "v": s.get("min_acr")}
            )
        bad = [c for c in s.get("channels", []) or [] if c not in CHANNEL_KEYS]
        if bad:
            errors.append(
                _("%(where)s: unknown channels %(v)s.") % {"where": where, "v": ", ".join(map(str, bad))}
            )
        bad = [e for e in s.get("life_events", []) or [] if e not in known_events]
        if bad:
            errors.append(
                _("%(where)s: unknown life events %(v)s.") % {"where": where, "v": ", ".join(map(str, bad))}
            )
        bad = [c for c in s.get("categories", []) or [] if c not in known_categories]
        if bad:
            errors.append(
                _("%(where)s: unknown categories %(v)s.") % {"where": where, "v": ", ".join(map(str, bad))}
            )
        fees = s.get("fees", []) or []
        if not isinstance(fees, list):
            errors.append(_("%(where)s: fees must be a list.") % {"where": where})
            fees = []
        for j, fee in enumerate(fees):
            fw = f"{where}.fees[{j}]"
            if (
                not isinstance(fee, dict)
                or not _is_text(fee.get("label_ar"))
                or not _is_text(fee.get("label_en"))
            ):
                errors.append(_("%(where)s: label_ar and label_en are required.") % {"where": fw})
                continue
            amount = fee.get("amount_fils")
            if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
                errors.append(
                    _("%(where)s: amount_fils must be a whole number of fils, 0 for free, or null.")
                    % {"where": fw}
                )
        pop = s.get("popularity", 0)
        if isinstance(pop, bool) or not isinstance(pop, int) or pop < 0:
            errors.append(_("%(where)s: popularity must be a whole number.") % {"where": where})
        if s.get("last_reviewed"):
            try:
                dt.date.fromisoformat(str(s["last_reviewed"]))
            except ValueError:
                errors.append(
                    _("%(where)s: last_reviewed must be a date like 2026-01-31.") % {"where": where}
                )
    known_slugs = slugs | set(Service.objects.values_list("slug", flat=True))
    for i, s in enumerate(services):
        if isinstance(s, dict):
            bad = [r for r in s.get("related", []) or [] if r not in known_slugs]
            if bad:
                errors.append(
                    _("%(where)s: unknown related services %(v)s.")
                    % {"where": at("services", i), "v": ", ".join(map(str, bad))}
                )
    return errors


@transaction.atomic
def catalogue_import(*, data: dict[str, Any], actor: Any = None, csv_rows: bool = False) -> dict[str, int]:
    """Create or update everything in `data` (matched by key, code and slug). All or nothing."""
    errors = _validate(data, csv_rows)
    if errors:
        raise ValidationError(_("The import was refused; nothing was changed."), details={"errors": errors})
    counts = {"life_events": 0, "categories": 0, "agencies": 0, "services": 0}
    for e in data.get("life_events", []):
        LifeEvent.objects.update_or_create(
            key=e["key"], defaults={k: e[k] for k in life_event_to_dict(LifeEvent()) if k in e and k != "key"}
        )
        counts["life_events"] += 1
    for c in data.get("categories", []):
        Category.objects.update_or_create(
            key=c["key"], defaults={k: c[k] for k in ("name_ar", "name_en", "order") if k in c}
        )
        counts["categories"] += 1
    parents: list[tuple[str, str]] = []
    for a in data.get("agencies", []):
        agency, _c = Agency.objects.update_or_create(
            code=a["code"], defaults={f: a[f] or "" for f in AGENCY_FIELDS if f in a and f != "code"}
        )
        if a.get("parent"):
            parents.append((a["code"], a["parent"]))
        if "centres" in a:
            agency.centres.all().delete()
            for c in a["centres"] or []:
                ServiceCentre.objects.create(
                    agency=agency,
                    working_days=c.get("working_days") or [],
                    opens_at=c.get("opens_at", "08:00"),
                    closes_at=c.get("closes_at", "15:00"),
                    **{f: c.get(f, "") or "" for f in CENTRE_FIELDS},
                )
        counts["agencies"] += 1
    for code, parent in parents:
        Agency.objects.filter(code=code).update(parent=Agency.objects.filter(code=parent).first())
    agencies = {a.code: a for a in Agency.objects.all()}
    events = {e.key: e for e in LifeEvent.objects.all()}
    categories = {c.key: c for c in Category.objects.all()}
    imported: list[tuple[Service, dict[str, Any]]] = []
    for s in data.get("services", []):
        service = Service.objects.filter(slug=s["slug"]).first()
        before = service_to_dict(service) if service else None
        if service is None:
            service = Service(slug=s["slug"])
        service.agency = agencies[s["agency"]]
        service.status = s.get("status", Service.Status.DRAFT)
        for f in SERVICE_TEXT_FIELDS:
            if f in s:
                setattr(service, f, s[f] or "")
        for f in SERVICE_LIST_FIELDS:
            if f in s:
                setattr(service, f, list(s[f] or []))
        service.online_application = bool(s.get("online_application", False))
        service.min_acr = s.get("min_acr", "loa-low")
        service.popularity = int(s.get("popularity", 0) or 0)
        service.last_reviewed = dt.date.fromisoformat(s["last_reviewed"]) if s.get("last_reviewed") else None
        if service.status == Service.Status.PUBLISHED and service.published_at is None:
            service.published_at = timezone.now()
        service.save()
        service.fees.all().delete()
        Fee.objects.bulk_create(
            [
                Fee(
                    service=service,
                    order=j,
                    label_ar=fee["label_ar"],
                    label_en=fee["label_en"],
                    amount_fils=fee.get("amount_fils"),
                )
                for j, fee in enumerate(s.get("fees", []) or [])
            ]
        )
        service.life_events.set([events[k] for k in s.get("life_events", []) or []])
        service.categories.set([categories[k] for k in s.get("categories", []) or []])
        imported.append((service, before or {}))
        counts["services"] += 1
    slugs = dict(Service.objects.values_list("slug", "id"))
    for (service, _before), s in zip(imported, data.get("services", []), strict=True):
        service.related.set([slugs[r] for r in s.get("related", []) or []])
    last_numbers = dict(
        ServiceRevision.objects.filter(service__in=[s for s, _b in imported])
        .order_by()
        .values_list("service_id")
        .annotate(m=Max("number"))
    )
    revisions = []
    for service, before in imported:
        snapshot = service_to_dict(service)
        revisions.append(
            ServiceRevision(
                service=service,
                number=last_numbers.get(service.pk, 0) + 1,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_label=str(actor.get_username())
                if getattr(actor, "is_authenticated", False)
                else "system",
                action="imported",
                to_status=service.status,
                changes=diff(before, snapshot) if before else {},
                snapshot=snapshot,
            )
        )
    ServiceRevision.objects.bulk_create(revisions)
    search_index_rebuild()
    audit_record(action="catalog.imported", actor=actor, data=counts)
    return counts
