"""Session keys shared by the apps that log people in (identity) and those that check how
a session was authenticated (the back office, single sign-on); and what the JSON API learns
of a bearer access token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

# The authentication methods used in this session, RFC 8176 names ("pwd", "otp", "sms",
# "hwk", "swk", "mfa"...), written by identity at login and step-up.
SESSION_AMR = "bawaba_amr"
SESSION_AUTH_TIME = "bawaba_auth_time"
SECOND_FACTOR_METHODS = frozenset({"otp", "sms", "hwk", "swk", "rec"})


def session_amr(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_AMR, []))


def session_has_second_factor(request: HttpRequest) -> bool:
    amr = set(session_amr(request))
    return bool(amr & SECOND_FACTOR_METHODS) or "mfa" in amr


@dataclass(frozen=True)
class BearerCheck:
    """What the platform's token issuer (single sign-on) says of an OAuth 2.0 access token
    presented to the JSON API. `problem` is "" for a token that may be used, else one of
    "invalid" (malformed, bad signature, another issuer), "expired", "revoked" (by the
    client, by logout, or its person or client deactivated) or "no_person" (a client's own
    token: it acts for no citizen)."""

    problem: str = ""
    user_id: Any = None
    client_id: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)
    acr: str = ""
    jti: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem
