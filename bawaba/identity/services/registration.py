"""Self-registration: validate, keep a pending registration, verify the mobile number by
SMS code, then create the account (assurance `low`, raised to `substantial` when the
civil registry matches)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.digits import ascii_digits
from bawaba.core.errors import Conflict, NotFound, ValidationError
from bawaba.core.models import AuditEvent
from bawaba.core.national_id import check_matches_birth_date, normalize_national_number
from bawaba.core.phones import normalize_jordan_mobile
from bawaba.core.request_context import current_request_context
from bawaba.messaging import services as messaging

from ..models import AssuranceLevel, OneTimeCode, PendingRegistration, User
from ..passwords import normalize_password
from . import otp, throttle

PENDING_TTL = timedelta(minutes=30)
NAME_MAX = 200
_NAME_RE = re.compile(r"^[^\x00-\x1f<>{}\[\]\\/@#$%^*=+|~`\"]+$")


@dataclass(frozen=True)
class RegistrationData:
    kind: str
    date_of_birth: object
    phone: str
    password: str
    name_ar: str
    name_en: str = ""
    national_number: str = ""
    personal_number: str = ""
    passport_number: str = ""
    nationality: str = ""


def _clean_name(value: str, *, field: str, required: bool) -> str:
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise ValidationError(_("Enter your full name."), code="name_required", field=field)
        return ""
    if len(value) > NAME_MAX:
        raise ValidationError(
            _("The name can be at most %(max)d characters.") % {"max": NAME_MAX},
            code="name_too_long",
            field=field,
        )
    if not _NAME_RE.match(value) or any(ch.isdigit() for ch in value):
        raise ValidationError(
            _("The name can contain letters, spaces, hyphens and apostrophes only."),
            code="name_invalid",
            field=field,
        )
    return value


def _clean_birth_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        birth = value
    else:
        try:
            birth = dt.date.fromisoformat(ascii_digits(str(value or "")).strip())
        except ValueError:
            raise ValidationError(
                _("Enter a real date of birth, for example 1990-05-21."),
                code="birth_date_invalid",
                field="date_of_birth",
            )
    today = timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError(
            _("Enter a real date of birth, for example 1990-05-21."),
            code="birth_date_invalid",
            field="date_of_birth",
        )
    if (today - birth).days < 365 * 15 + 3:
        raise ValidationError(
            _("You must be at least 15 years old to register."), code="too_young", field="date_of_birth"
        )
    return birth


def _field(exc: ValidationError, field: str) -> ValidationError:
    exc.field = exc.field or field
    return exc


def registration_validate(data: RegistrationData) -> dict:
    """Check everything and return cleaned values; the first problem raises ValidationError
    naming its field. Nothing is written."""
    if data.kind not in (User.Kind.CITIZEN, User.Kind.RESIDENT):
        raise ValidationError(_("Choose citizen or resident."), code="kind_invalid", field="kind")
    cleaned: dict = {"kind": data.kind}
    birth = _clean_birth_date(data.date_of_birth)
    cleaned["date_of_birth"] = birth
    if data.kind == User.Kind.CITIZEN:
        try:
            nn = normalize_national_number(data.national_number)
            check_matches_birth_date(nn, birth)
        except ValidationError as exc:
            raise _field(exc, "national_number")
        cleaned.update(national_number=nn, username=nn)
    else:
        nationality = (data.nationality or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", nationality) or nationality == "JO":
            raise ValidationError(
                _("Choose your nationality."), code="nationality_invalid", field="nationality"
            )
        passport = re.sub(r"\s", "", ascii_digits(data.passport_number or "")).upper()
        if not re.fullmatch(r"[A-Z0-9]{5,20}", passport):
            raise ValidationError(
                _("Enter the passport number as printed (5 to 20 letters and digits)."),
                code="passport_invalid",
                field="passport_number",
            )
        personal = re.sub(r"\s", "", ascii_digits(data.personal_number or ""))
        if personal and not re.fullmatch(r"\d{6,20}", personal):
            raise ValidationError(
                _("The personal number is made of digits only (6 to 20)."),
                code="personal_number_invalid",
                field="personal_number",
            )
        cleaned.update(
            nationality=nationality,
            passport_number=passport,
            personal_number=personal,
            username=(personal or f"{nationality}-{passport}").lower(),
        )
    try:
        cleaned["phone"] = normalize_jordan_mobile(data.phone)
    except ValidationError as exc:
        raise _field(exc, "phone")
    cleaned["name_ar"] = _clean_name(data.name_ar, field="name_ar", required=True)
    cleaned["name_en"] = _clean_name(data.name_en, field="name_en", required=False)
    password = normalize_password(data.password or "")
    probe = User(
        username=cleaned["username"],
        national_number=cleaned.get("national_number"),
        personal_number=cleaned.get("personal_number"),
        phone=cleaned["phone"],
    )
    try:
        validate_password(password, probe)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="password_invalid", field="password")
    cleaned["password"] = password
    return cleaned


def _existing_account(cleaned: dict) -> User | None:
    q = User.objects.filter(username=cleaned["username"])
    if cleaned.get("national_number"):
        q = q | User.objects.filter(national_number=cleaned["national_number"])
    if cleaned.get("passport_number"):
        q = q | User.objects.filter(
            nationality=cleaned["nationality"], passport_number=cleaned["passport_number"]
        )
    return q.first()


def registration_start(data: RegistrationData) -> PendingRegistration:
    """Validate and send the verification code. When the identity already has an account,
    no code is sent to the new number: the account holder is told instead, and the page
    shown is the same (no user enumeration)."""
    ip_key = f"register-ip:{current_request_context().ip or 'unknown'}"
    throttle.throttle_check((ip_key, throttle.REGISTRATION_POLICY))
    cleaned = registration_validate(data)
    throttle.throttle_fail(ip_key, throttle.REGISTRATION_POLICY)  # counts registrations started, not failures
    existing = _existing_account(cleaned)
    pending = PendingRegistration.objects.create(
        kind=cleaned["kind"],
        username=cleaned["username"],
        national_number=cleaned.get("national_number", ""),
        personal_number=cleaned.get("personal_number", ""),
        passport_number=cleaned.get("passport_number", ""),
        nationality=cleaned.get("nationality", ""),
        name_ar=cleaned["name_ar"],
        name_en=cleaned["name_en"],
        date_of_birth=cleaned["date_of_birth"],
        phone=cleaned["phone"],
        password_hash=make_password(cleaned["password"]),
        existing_account=existing is not None,
        expires_at=timezone.now() + PENDING_TTL,
    )
    if existing is not None:
        audit_record(
            action="registration.start",
            outcome=AuditEvent.Outcome.DENIED,
            object_type="pending_registration",
            object_id=pending.id,
            data={"reason": "already_registered"},
        )
        if existing.phone and existing.phone_verified:
            messaging.sms_send(
                to=existing.phone,
                body=_(
                    "Bawaba: someone tried to create a new account with your identity. If it was you, log in or reset your password instead."
                ),
                purpose="registration_duplicate",
                user_id=str(existing.pk),
            )
    else:
        otp.otp_issue(subject=f"reg:{pending.id}", purpose=OneTimeCode.Purpose.REGISTER, phone=pending.phone)
        audit_record(action="registration.start", object_type="pending_registration", object_id=pending.id)
    return pending


def registration_resend(*, pending_id: uuid.UUID | str) -> None:
    pending = _pending(pending_id)
    if not pending.existing_account:
        otp.otp_issue(subject=f"reg:{pending.id}", purpose=OneTimeCode.Purpose.REGISTER, phone=pending.phone)


def _pending(pending_id: uuid.UUID | str) -> PendingRegistration:
    pending = PendingRegistration.objects.filter(
        id=pending_id, completed_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if pending is None:
        raise NotFound(_("This registration has expired. Please start again."), code="registration_expired")
    return pending


def registration_complete(*, pending_id: uuid.UUID | str, code: str) -> User:
    """Check the SMS code and create the account, all or nothing."""
    pending = _pending(pending_id)
    otp.otp_verify(subject=f"reg:{pending.id}", purpose=OneTimeCode.Purpose.REGISTER, code=code)
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = PendingRegistration.objects.select_for_update().get(id=pending.id)
            if locked.completed_at is not None:
                raise Conflict(
                    _("This registration is already complete. Please log in."), code="registration_complete"
                )
            user = User(
                username=pending.username,
                kind=pending.kind,
                national_number=pending.national_number or None,
                personal_number=pending.personal_number or None,
                passport_number=pending.passport_number or None,
                nationality=pending.nationality or ("JO" if pending.kind == User.Kind.CITIZEN else ""),
                name_ar=pending.name_ar,
                name_en=pending.name_en,
                date_of_birth=pending.date_of_birth,
                phone=pending.phone,
                phone_verified_at=now,
                assurance_level=AssuranceLevel.LOW,
                password=pending.password_hash,
                password_changed_at=now,
            )
            user.save(force_insert=True)
            locked.completed_at = now
            locked.password_hash = ""
            locked.save(update_fields=["completed_at", "password_hash"])
            audit_record(action="registration.complete", actor=user, object_type="user", object_id=user.pk)
    except IntegrityError:
        raise Conflict(
            _("An account already exists for this identity. Please log in or reset your password."),
            code="already_registered",
        )
    if user.kind == User.Kind.CITIZEN:
        from .assurance import identity_match_civil_registry

        try:
            identity_match_civil_registry(user=user)
            user.refresh_from_db()
        except Exception:  # the account exists; matching can be retried from the account page
            audit_record(
                action="assurance.civil_registry",
                outcome=AuditEvent.Outcome.FAILURE,
                actor=user,
                data={"reason": "registry_unavailable"},
            )
    return user
