"""The platform-wide tests use the same fixtures as the apps' tests."""

from bawaba.conftest import demo, logged_in_admin, logged_in_ahmad, sms_code, totp  # noqa: F401
