"""Reads of the single sign-on app."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import tokens
from .clients import OidcClient
from .models import Consent, PushedRequest, SessionClient


def pushed_request_get(*, client: OidcClient, request_uri: str) -> dict[str, str] | None:
    prefix = "urn:ietf:params:oauth:request_uri:"
    if not request_uri.startswith(prefix):
        return None
    row = PushedRequest.objects.filter(
        handle_hash=tokens.sha256(request_uri[len(prefix) :]),
        client_id=client.pk,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    return row.params if row else None


def consent_covers(*, user: Any, client: OidcClient, scopes: list[str]) -> bool:
    consent = Consent.objects.filter(user=user, client_id=client.pk).values_list("scopes", flat=True).first()
    return consent is not None and set(scopes) <= set(consent)


def consents_for(user: Any) -> list[Consent]:
    return list(
        Consent.objects.filter(user=user).select_related("client", "client__agency").order_by("-updated_at")
    )


def clients_by_session(sids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in SessionClient.objects.filter(sid__in=sids).select_related("client").order_by("created_at"):
        out.setdefault(row.sid, []).append(row.client)
    return out
