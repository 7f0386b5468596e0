"""Passkeys (WebAuthn) with py_webauthn: registration from the account page, and login
either as the second factor or on its own (a passkey with user verification is itself
multi-factor)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from bawaba.core.audit import audit_record
from bawaba.core.errors import AuthenticationFailed, NotFound, ValidationError

from ..models import Passkey, User, strong_factor_refresh


def rp_id() -> str:
    configured = getattr(settings, "BAWABA_WEBAUTHN_RP_ID", "")
    if configured:
        return configured
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    # WebAuthn needs a domain name; an IP address (the default 127.0.0.1) cannot be one.
    return "localhost" if host.replace(".", "").isdigit() else host


def expected_origins() -> list[str]:
    origins = {settings.BASE_URL}
    parts = urlsplit(settings.BASE_URL)
    if rp_id() == "localhost":
        origins.add(f"{parts.scheme}://localhost" + (f":{parts.port}" if parts.port else ""))
    return sorted(origins)


def passkey_registration_options(*, user: User) -> tuple[str, bytes]:
    """(options JSON for navigator.credentials.create, challenge to keep in the session)."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name="Bawaba",
        user_name=user.username,
        user_id=user.pk.bytes,
        user_display_name=user.name_en or user.name_ar or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in user.passkeys.all()
        ],
    )
    return options_to_json(options), options.challenge


def passkey_register(*, user: User, credential: str | dict, challenge: bytes, name: str) -> Passkey:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origins(),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        audit_record(
            action="mfa.passkey.register", outcome="failure", actor=user, data={"reason": str(exc)[:200]}
        )
        raise ValidationError(
            _("The passkey could not be registered. Please try again."), code="passkey_invalid"
        )
    cred_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=cred_id).exists():
        raise ValidationError(_("This passkey is already registered."), code="passkey_exists")
    transports: list[str] = []
    if isinstance(credential, dict):
        transports = credential.get("response", {}).get("transports", []) or []
    passkey = Passkey.objects.create(
        user=user,
        credential_id=cred_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(t) for t in transports][:5],
        aaguid=str(verified.aaguid)[:36],
        backed_up=bool(verified.credential_backed_up),
        name=(name or _("Passkey")).strip()[:100],
    )
    strong_factor_refresh(user)
    audit_record(action="mfa.passkey.register", actor=user, object_type="passkey", object_id=passkey.id)
    return passkey


def passkey_authentication_options(*, user: User | None = None) -> tuple[str, bytes]:
    allow = None
    if user is not None:
        allow = [
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in user.passkeys.all()
        ]
    options = generate_authentication_options(
        rp_id=rp_id(), allow_credentials=allow, user_verification=UserVerificationRequirement.REQUIRED
    )
    return options_to_json(options), options.challenge


def passkey_authenticate(*, credential: str | dict, challenge: bytes, user: User | None = None) -> User:
    """Verify an assertion; with `user` given, the passkey must be one of theirs."""
    try:
        data = json.loads(credential) if isinstance(credential, str) else credential
        cred_id = data["id"]
    except (ValueError, KeyError, TypeError):
        raise AuthenticationFailed(_("The passkey could not be checked."), code="passkey_invalid")
    qs = Passkey.objects.select_related("user")
    if user is not None:
        qs = qs.filter(user=user)
    failure: tuple[User | None, str] | None = None
    # The failure is audited after the transaction: an audit record written inside it
    # would be rolled back with the refused login.
    with transaction.atomic():
        passkey = qs.select_for_update().filter(credential_id=str(cred_id)[:1400]).first()
        if passkey is None or not passkey.user.is_active:
            failure = (None, "unknown")
        else:
            try:
                verified = verify_authentication_response(
                    credential=data,
                    expected_challenge=challenge,
                    expected_rp_id=rp_id(),
                    expected_origin=expected_origins(),
                    credential_public_key=bytes(passkey.public_key),
                    credential_current_sign_count=passkey.sign_count,
                    require_user_verification=True,
                )
            except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError) as exc:
                failure = (passkey.user, str(exc)[:200])
            else:
                passkey.sign_count = verified.new_sign_count
                passkey.last_used_at = timezone.now()
                passkey.save(update_fields=["sign_count", "last_used_at"])
    if failure is not None:
        who, reason = failure
        if who is None:
            audit_record(action="login.passkey", outcome="failure", actor_label=str(cred_id)[:40])
            raise AuthenticationFailed(
                _("This passkey is not registered with Bawaba."), code="passkey_unknown"
            )
        audit_record(action="login.passkey", outcome="failure", actor=who, data={"reason": reason})
        raise AuthenticationFailed(_("The passkey could not be checked."), code="passkey_invalid")
    assert passkey is not None  # every path without a passkey recorded a failure above
    audit_record(action="login.passkey", actor=passkey.user, object_type="passkey", object_id=passkey.id)
    return passkey.user


def passkey_remove(*, user: User, passkey_id: str) -> None:
    deleted, _n = Passkey.objects.filter(user=user, id=passkey_id).delete()
    if not deleted:
        raise NotFound()
    strong_factor_refresh(user)
    audit_record(action="mfa.passkey.remove", actor=user, object_type="passkey", object_id=passkey_id)
