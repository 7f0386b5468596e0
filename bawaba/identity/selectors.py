"""Reads of the identity app that other apps (single sign-on, the portal) use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.http import HttpRequest

from bawaba.core.auth import SESSION_AMR, SESSION_AUTH_TIME

from .models import ASSURANCE_ORDER, AssuranceLevel, Membership, Organisation, User
from .services.sessions import SESSION_ACTING_AS


def user_get(user_id: uuid.UUID | str) -> User | None:
    try:
        return User.objects.filter(pk=user_id, is_active=True).select_related("agency").first()
    except (ValueError, TypeError):
        return None


def user_by_identifier(identifier: str) -> User | None:
    from .services.authentication import normalize_identifier

    return User.objects.filter(username=normalize_identifier(identifier), is_active=True).first()


@dataclass(frozen=True)
class SessionAuth:
    amr: tuple[str, ...]
    auth_time: int
    assurance_level: str


def session_auth(request: HttpRequest) -> SessionAuth | None:
    """How the current session was authenticated, or None when nobody is logged in."""
    user = request.user
    if not user.is_authenticated:
        return None
    return SessionAuth(
        amr=tuple(request.session.get(SESSION_AMR, [])),
        auth_time=int(request.session.get(SESSION_AUTH_TIME, 0)),
        assurance_level=user.assurance_level,
    )


def assurance_at_least(level: str, minimum: str) -> bool:
    return ASSURANCE_ORDER[AssuranceLevel(level)] >= ASSURANCE_ORDER[AssuranceLevel(minimum)]


def memberships_for(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name_en")
    )


def represented_party(request: HttpRequest) -> Organisation | None:
    """The organisation the logged-in person is acting for, if they chose one."""
    org_id = request.session.get(SESSION_ACTING_AS)
    if not org_id or not request.user.is_authenticated:
        return None
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=request.user, organisation_id=org_id)
        .first()
    )
    return membership.organisation if membership and membership.can_represent else None


def agency_get(code: str) -> Organisation | None:
    return Organisation.objects.filter(kind=Organisation.Kind.AGENCY, code=code).first()


def session_id(request: HttpRequest) -> str | None:
    """The id of the tracked login session of this request (the one services.session_start
    just recorded, without asking the database again)."""
    started = getattr(request, "bawaba_session_id", None)
    if started:
        return str(started)
    return session_id_for_key(request.session.session_key)


def session_id_for_key(session_key: str | None) -> str | None:
    """The id of the tracked login session behind a Django session key (single sign-on
    uses it as the OpenID Connect `sid`)."""
    if not session_key:
        return None
    from .models import UserSession

    row = UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).values_list(
        "id", flat=True
    )
    found = row.first()
    return str(found) if found else None


def session_ids_ended(session_ids: list[str]) -> set[str]:
    """Which of these tracked sessions have ended (logout, revoked, or expired)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from .models import UserSession

    rows = UserSession.objects.filter(id__in=session_ids).values_list("id", "ended_at", "session_key")
    live = set(
        Session.objects.filter(
            session_key__in=[r[2] for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    return {str(i) for i, ended, key in rows if ended is not None or key not in live}
