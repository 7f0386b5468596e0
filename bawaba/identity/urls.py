from django.urls import path

from .views import account, login, registration

app_name = "identity"
urlpatterns = [
    path("register/", registration.register, name="register"),
    path("register/verify/", registration.register_verify, name="register_verify"),
    path("login/", login.login_view, name="login"),
    path("login/verify/", login.login_verify, name="login_verify"),
    path("login/passkey/options/", login.passkey_login_options, name="passkey_login_options"),
    path("login/passkey/", login.passkey_login, name="passkey_login"),
    path("logout/", login.logout_view, name="logout"),
    path("password-reset/", login.password_reset, name="password_reset"),
    path("password-reset/verify/", login.password_reset_verify, name="password_reset_verify"),
    path("account/", account.profile, name="account"),
    path("account/verify-identity/", account.verify_identity, name="verify_identity"),
    path("account/acting-as/", account.acting_as, name="acting_as"),
    path("account/security/", account.security, name="security"),
    path("account/security/password/", account.password_change, name="password_change"),
    path("account/security/sms/", account.sms_second_factor, name="sms_second_factor"),
    path("account/security/totp/", account.totp_enrol, name="totp_enrol"),
    path("account/security/totp/<uuid:device_id>/remove/", account.totp_remove, name="totp_remove"),
    path("account/security/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path(
        "account/security/passkeys/options/",
        account.passkey_register_options,
        name="passkey_register_options",
    ),
    path("account/security/passkeys/", account.passkey_register, name="passkey_register"),
    path(
        "account/security/passkeys/<uuid:passkey_id>/remove/", account.passkey_remove, name="passkey_remove"
    ),
    path("account/sessions/", account.sessions, name="sessions"),
    path("account/sessions/<uuid:session_id>/end/", account.session_end, name="session_end"),
    path("account/sessions/end-others/", account.sessions_end_others, name="sessions_end_others"),
    path("account/activity/", account.activity, name="activity"),
]
