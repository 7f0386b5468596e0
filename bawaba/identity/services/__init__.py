"""Every write of the identity app. Other apps import from here (or from
bawaba.identity.selectors), never from the modules' internals or the models."""

from .account import account_deactivate, sms_second_factor_set
from .assurance import identity_match_civil_registry, identity_verify_in_person
from .authentication import (
    PasswordCheck,
    login_password,
    login_second_factor,
    login_send_sms_code,
    normalize_identifier,
    password_change,
    password_reset_complete,
    password_reset_start,
    second_factor_methods,
)
from .login_flow import PasswordStep, login_hint, login_page, password_step
from .organisations import acting_as_check, membership_set, organisation_create
from .passkeys import (
    passkey_authenticate,
    passkey_authentication_options,
    passkey_register,
    passkey_registration_options,
    passkey_remove,
)
from .recovery import recovery_code_use, recovery_codes_generate, recovery_codes_remaining
from .registration import RegistrationData, registration_complete, registration_resend, registration_start
from .sessions import (
    SESSION_ACTING_AS,
    active_sessions,
    remember_device,
    session_add_methods,
    session_end,
    session_logout,
    session_rekey,
    session_start,
    sessions_end_all,
)
from .throttle import bearer_refusal_record, refusal_record
from .totp import (
    totp_device_create,
    totp_enrolment_begin,
    totp_enrolment_confirm,
    totp_provisioning,
    totp_remove,
    totp_verify,
)

__all__ = [
    "PasswordCheck",
    "PasswordStep",
    "login_hint",
    "login_page",
    "password_step",
    "RegistrationData",
    "SESSION_ACTING_AS",
    "account_deactivate",
    "acting_as_check",
    "bearer_refusal_record",
    "refusal_record",
    "active_sessions",
    "identity_match_civil_registry",
    "identity_verify_in_person",
    "login_password",
    "login_second_factor",
    "login_send_sms_code",
    "membership_set",
    "normalize_identifier",
    "organisation_create",
    "passkey_authenticate",
    "passkey_authentication_options",
    "passkey_register",
    "passkey_registration_options",
    "passkey_remove",
    "password_change",
    "password_reset_complete",
    "password_reset_start",
    "recovery_code_use",
    "recovery_codes_generate",
    "recovery_codes_remaining",
    "registration_complete",
    "registration_resend",
    "registration_start",
    "remember_device",
    "second_factor_methods",
    "session_add_methods",
    "session_end",
    "session_logout",
    "session_rekey",
    "session_start",
    "sessions_end_all",
    "sms_second_factor_set",
    "totp_device_create",
    "totp_enrolment_begin",
    "totp_enrolment_confirm",
    "totp_provisioning",
    "totp_remove",
    "totp_verify",
]
