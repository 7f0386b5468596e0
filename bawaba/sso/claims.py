"""Assurance (acr/amr) and the claims released per scope. Pure functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ACR_LOW = "loa-low"
ACR_SUBSTANTIAL = "loa-substantial"
ACR_HIGH = "loa-high"
ACR_VALUES = (ACR_LOW, ACR_SUBSTANTIAL, ACR_HIGH)
ACR_RANK = {ACR_LOW: 1, ACR_SUBSTANTIAL: 2, ACR_HIGH: 3}
IDENTITY_RANK = {"low": 1, "substantial": 2, "high": 3}
# What each acr needs of the identity itself (how sure we are who the person is).
ACR_IDENTITY = {ACR_LOW: "low", ACR_SUBSTANTIAL: "substantial", ACR_HIGH: "high"}
SECOND_FACTORS = frozenset({"otp", "sms", "hwk", "swk", "rec", "mfa"})

SCOPES = {
    "openid": _("Your identifier for this service"),
    "profile": _("Your name in Arabic and English and your date of birth"),
    "phone": _("Your mobile number"),
    "email": _("Your email address"),
    "national_id": _("Your national number"),
    # Not a claim: read access to the person's own applications and notifications through
    # the JSON API (/api/v1/me/applications, /api/v1/me/notifications).
    "applications": _(
        "Your applications on Bawaba, their status and history, and your notifications (read only)"
    ),
}
SCOPE_CLAIMS = {
    "openid": ["sub"],
    "profile": [
        "name",
        "given_name",
        "family_name",
        "name#ar",
        "name#en",
        "given_name#ar",
        "given_name#en",
        "family_name#ar",
        "family_name#en",
        "birthdate",
    ],
    "phone": ["phone_number", "phone_number_verified"],
    "email": ["email", "email_verified"],
    "national_id": ["national_number"],
    "applications": [],
}
CLAIMS_SUPPORTED = sorted(
    {c for cs in SCOPE_CLAIMS.values() for c in cs} | {"acr", "amr", "auth_time", "sid"}
)


def session_acr(amr: list[str] | tuple[str, ...], assurance_level: str) -> str:
    """Password alone never exceeds loa-low; a second factor or passkey is needed for
    loa-substantial; loa-high also needs an identity verified in person."""
    if not set(amr) & SECOND_FACTORS:
        return ACR_LOW
    if assurance_level == "high":
        return ACR_HIGH
    if assurance_level == "substantial":
        return ACR_SUBSTANTIAL
    return ACR_LOW


def required_acr(acr_values: str | None, default: str = "") -> str | None:
    """The weakest acr the client accepts among those it listed (it accepts any of them)."""
    wanted = [v for v in (acr_values or "").split() if v in ACR_RANK]
    if default in ACR_RANK:
        wanted = [v for v in wanted if ACR_RANK[v] >= ACR_RANK[default]] or [default]
    if not wanted:
        return None
    return min(wanted, key=lambda v: ACR_RANK[v])


def acr_satisfied(current: str, required: str | None) -> bool:
    return required is None or ACR_RANK.get(current, 0) >= ACR_RANK[required]


def identity_can_reach(assurance_level: str, required: str) -> bool:
    return IDENTITY_RANK.get(assurance_level, 0) >= IDENTITY_RANK[ACR_IDENTITY[required]]


def amr_out(amr: list[str] | tuple[str, ...]) -> list[str]:
    """RFC 8176 names. Recovery codes ("rec") are one-time passwords: reported as "otp"."""
    return sorted({"otp" if m == "rec" else m for m in amr})


@lru_cache(maxsize=4)
def _pairwise_key(secret: str) -> bytes:
    salt = getattr(settings, "BAWABA_OIDC_PAIRWISE_SECRET", "") or secret
    return hashlib.sha256(b"bawaba:sso:pairwise:" + salt.encode()).digest()


def subject_for(*, user_id: Any, subject_type: str, sector: str) -> str:
    if subject_type == "public":
        return str(user_id)
    mac = hmac.new(_pairwise_key(settings.SECRET_KEY), f"{sector}|{user_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


# The person's fields user_claims() reads: the refresh grant's one statement returns them
# with the token (services.refresh_exchange), so the new ID token needs no further query.
CLAIM_FIELDS = (
    "name_ar",
    "name_en",
    "given_name_ar",
    "given_name_en",
    "family_name_ar",
    "family_name_en",
    "date_of_birth",
    "phone",
    "phone_verified_at",
    "email",
    "email_verified",
    "national_number",
)


def user_claims(user: Any, scopes: set[str]) -> dict[str, Any]:
    """Claims for the scopes (without `sub`). Arabic is the default language; the English
    forms are given as `name#en`-style localized claims (OpenID Connect Core 5.2)."""
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        pairs = [
            ("name", user.name_ar, user.name_en),
            ("given_name", user.given_name_ar, user.given_name_en),
            ("family_name", user.family_name_ar, user.family_name_en),
        ]
        for claim, ar, en in pairs:
            if ar or en:
                claims[claim] = ar or en
            if ar:
                claims[f"{claim}#ar"] = ar
            if en:
                claims[f"{claim}#en"] = en
        if user.date_of_birth:
            claims["birthdate"] = user.date_of_birth.isoformat()
    if "phone" in scopes and user.phone:
        claims["phone_number"] = user.phone
        claims["phone_number_verified"] = user.phone_verified_at is not None
    if "email" in scopes and user.email:
        claims["email"] = user.email
        claims["email_verified"] = bool(user.email_verified)
    if "national_id" in scopes and user.national_number:
        claims["national_number"] = user.national_number
    return claims
