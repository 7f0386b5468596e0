from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ACTION_LABELS = {
    "login.success": _("Logged in"),
    "login.password": _("Password checked"),
    "login.second_factor": _("Second factor checked"),
    "login.passkey": _("Passkey used"),
    "login.step_up": _("Extra confirmation given"),
    "login.new_device": _("Login from a new device"),
    "logout": _("Logged out"),
    "session.end": _("Session ended"),
    "registration.complete": _("Account created"),
    "password.change": _("Password changed"),
    "password_reset.request": _("Password reset asked for"),
    "password_reset.complete": _("Password reset"),
    "mfa.totp.enrol": _("Authenticator app set up"),
    "mfa.totp.remove": _("Authenticator app removed"),
    "mfa.sms.enable": _("SMS codes at login turned on"),
    "mfa.sms.disable": _("SMS codes at login turned off"),
    "mfa.passkey.register": _("Passkey added"),
    "mfa.passkey.remove": _("Passkey removed"),
    "mfa.recovery_codes.generate": _("New recovery codes made"),
    "mfa.recovery_code.use": _("Recovery code used"),
    "assurance.civil_registry": _("Identity matched with the civil registry"),
    "assurance.in_person": _("Identity verified in person"),
    "organisation.act_as": _("Acting on behalf of an organisation"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
