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
