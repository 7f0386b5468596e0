"""Identity over the JSON API: registration for mobile apps, the logged-in person's own
data, and validators agencies' developers can call."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from bawaba.core.api import ErrorOut
from bawaba.core.errors import ValidationError
from bawaba.core.national_id import check_matches_birth_date, normalize_national_number
from bawaba.core.phones import mask_phone, normalize_jordan_mobile
from bawaba.core.selectors import audit_events_for_user

from . import services

router = Router(tags=["identity"])
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    503: ErrorOut,
}


class RegistrationIn(Schema):
    kind: str = Field("citizen", max_length=10, description="citizen or resident")
    national_number: str = Field("", max_length=20)
    nationality: str = Field("", max_length=2)
    passport_number: str = Field("", max_length=30)
    personal_number: str = Field("", max_length=30)
    date_of_birth: str = Field(..., max_length=10, description="YYYY-MM-DD")
    name_ar: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200)
    phone: str = Field(..., max_length=25)
    password: str = Field(..., max_length=1024)


class RegistrationOut(Schema):
    registration_id: uuid.UUID
    code_sent_to: str


class VerifyIn(Schema):
    code: str = Field(..., max_length=20)


class MeOut(Schema):
    id: uuid.UUID
    username: str
    kind: str
    national_number: str | None
    name_ar: str
    name_en: str
    date_of_birth: dt.date | None
    phone: str
    phone_verified: bool
    assurance_level: str


class SessionOut(Schema):
    id: uuid.UUID
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ip: str | None
    user_agent: str
    current: bool


class ActivityOut(Schema):
    time: dt.datetime
    action: str
    outcome: str
    ip: str | None


class NationalNumberIn(Schema):
    value: str = Field(..., max_length=40)
    date_of_birth: dt.date | None = None


class PhoneIn(Schema):
    value: str = Field(..., max_length=40)


class ValidationOut(Schema):
    valid: bool
    normalized: str | None = None
    code: str | None = None
    message: str | None = None


def _me(user) -> MeOut:  # type: ignore[no-untyped-def]
    return MeOut(
        id=user.pk,
        username=user.username,
        kind=user.kind,
        national_number=user.national_number,
        name_ar=user.name_ar,
        name_en=user.name_en,
        date_of_birth=user.date_of_birth,
        phone=user.phone,
        phone_verified=user.phone_verified,
        assurance_level=user.assurance_level,
    )


@router.post("/registrations", response={202: RegistrationOut, **ERRORS}, summary="Start a registration")
def registration_start(request: HttpRequest, payload: RegistrationIn):  # type: ignore[no-untyped-def]
    pending = services.registration_start(services.RegistrationData(**payload.dict()))
    return Status(202, RegistrationOut(registration_id=pending.id, code_sent_to=mask_phone(pending.phone)))


@router.post(
    "/registrations/{registration_id}/verify",
    response={201: MeOut, **ERRORS},
    summary="Verify the mobile code and create the account",
)
def registration_verify(request: HttpRequest, registration_id: uuid.UUID, payload: VerifyIn):  # type: ignore[no-untyped-def]
    user = services.registration_complete(pending_id=registration_id, code=payload.code)
    return Status(201, _me(user))


@router.get("/me", response={200: MeOut, **ERRORS}, auth=django_auth, summary="The logged-in person")
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    return _me(request.user)


@router.get(
    "/me/sessions", response={200: list[SessionOut], **ERRORS}, auth=django_auth, summary="My sessions"
)
def my_sessions(request: HttpRequest):  # type: ignore[no-untyped-def]
    key = request.session.session_key
    return [
        SessionOut(
            id=s.id,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            ip=s.ip,
            user_agent=s.user_agent,
            current=s.session_key == key,
        )
        for s in services.active_sessions(request.user)
    ]


@router.delete(
    "/me/sessions/{session_id}",
    response={204: None, **ERRORS},
    auth=django_auth,
    summary="End one of my sessions",
)
def end_session(request: HttpRequest, session_id: uuid.UUID):  # type: ignore[no-untyped-def]
    services.session_end(user=request.user, session_id=session_id)
    return Status(204, None)


@router.get(
    "/me/activity",
    response={200: list[ActivityOut], **ERRORS},
    auth=django_auth,
    summary="My recent activity",
)
def my_activity(request: HttpRequest, limit: int = 50):  # type: ignore[no-untyped-def]
    limit = max(1, min(limit, 200))
    return [
        ActivityOut(time=e.created_at, action=e.action, outcome=e.outcome, ip=e.ip)
        for e in audit_events_for_user(str(request.user.pk))[:limit]
    ]


@router.post(
    "/validation/national-number",
    response={200: ValidationOut, **ERRORS},
    tags=["validation"],
    summary="Check a Jordanian national number",
)
def validate_national_number(request: HttpRequest, payload: NationalNumberIn):  # type: ignore[no-untyped-def]
    try:
        value = normalize_national_number(payload.value)
        if payload.date_of_birth:
            check_matches_birth_date(value, payload.date_of_birth)
    except ValidationError as exc:
        return ValidationOut(valid=False, code=exc.code, message=str(exc.message))
    return ValidationOut(valid=True, normalized=value)


@router.post(
    "/validation/mobile",
    response={200: ValidationOut, **ERRORS},
    tags=["validation"],
    summary="Check and normalise a Jordanian mobile number",
)
def validate_mobile(request: HttpRequest, payload: PhoneIn):  # type: ignore[no-untyped-def]
    try:
        value = normalize_jordan_mobile(payload.value)
    except ValidationError as exc:
        return ValidationOut(valid=False, code=exc.code, message=str(exc.message))
    return ValidationOut(valid=True, normalized=value, message=_("Valid"))
