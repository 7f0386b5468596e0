"""Session keys shared by the apps that log people in (identity) and those that check how
a session was authenticated (the back office, single sign-on)."""

from __future__ import annotations

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
