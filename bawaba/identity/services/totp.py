"""Authenticator apps (TOTP, RFC 6238): 30-second steps, ±1 step accepted, each step's
code usable once."""

from __future__ import annotations

import io
import time

import pyotp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.crypto import decrypt, encrypt
from bawaba.core.digits import ascii_digits
from bawaba.core.errors import NotFound, ValidationError

from ..models import TotpDevice, User, strong_factor_refresh

ISSUER = "Bawaba"
PURPOSE = "totp-secret"


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(decrypt(device.secret_encrypted, purpose=PURPOSE))


def totp_device_create(
    *, user: User, secret: str | None = None, confirmed: bool = False, name: str = "Authenticator"
) -> TotpDevice:
    secret = secret or pyotp.random_base32()
    device = TotpDevice.objects.create(
        user=user, name=name, secret_encrypted=encrypt(secret, purpose=PURPOSE), confirmed=confirmed
    )
    if confirmed:
        strong_factor_refresh(user)
    return device


def totp_enrolment_begin(*, user: User) -> TotpDevice:
    """A new, unconfirmed authenticator; earlier unconfirmed ones are discarded."""
    TotpDevice.objects.filter(user=user, confirmed=False).delete()
    return totp_device_create(user=user)


def totp_provisioning(device: TotpDevice) -> tuple[str, str, str]:
    """(secret, otpauth URI, QR code as inline SVG) for the enrolment page."""
    secret = decrypt(device.secret_encrypted, purpose=PURPOSE)
    uri = pyotp.TOTP(secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return secret, uri, svg


def _matching_step(device: TotpDevice, code: str, now: float | None = None) -> int | None:
    totp = _totp(device)
    now = time.time() if now is None else now
    step = int(now // totp.interval)
    for candidate in (step - 1, step, step + 1):
        if candidate > device.last_used_step and pyotp.utils.strings_equal(
            totp.generate_otp(candidate), code
        ):
            return candidate
    return None


def totp_enrolment_confirm(*, user: User, device_id: str, code: str) -> TotpDevice:
    code = ascii_digits((code or "").strip()).replace(" ", "")
    with transaction.atomic():
        device = (
            TotpDevice.objects.select_for_update().filter(user=user, id=device_id, confirmed=False).first()
        )
        if device is None:
            raise NotFound(_("Start the set-up again."))
        step = _matching_step(device, code) if code.isdigit() and len(code) == 6 else None
        if step is None:
            audit_record(action="mfa.totp.enrol", outcome="failure", actor=user)
            raise ValidationError(
                _("The code is not correct. Check the time on your phone and try again."),
                code="code_invalid",
                field="otp",
            )
        device.confirmed = True
        device.last_used_step = step
        device.save(update_fields=["confirmed", "last_used_step"])
        strong_factor_refresh(user)
        audit_record(action="mfa.totp.enrol", actor=user, object_type="totp", object_id=device.id)
    return device


def totp_verify(*, user: User, code: str) -> bool:
    """True when `code` is valid for one of the user's authenticators and its step has not
    been used yet; the step is then spent (a replayed code fails)."""
    if not (code.isdigit() and len(code) == 6):
        return False
    with transaction.atomic():
        for device in TotpDevice.objects.select_for_update().filter(user=user, confirmed=True):
            step = _matching_step(device, code)
            if step is not None:
                device.last_used_step = step
                device.save(update_fields=["last_used_step"])
                return True
    return False


def totp_remove(*, user: User, device_id: str) -> None:
    deleted, _n = TotpDevice.objects.filter(user=user, id=device_id).delete()
    if not deleted:
        raise NotFound()
    strong_factor_refresh(user)
    audit_record(action="mfa.totp.remove", actor=user, object_type="totp", object_id=device_id)
