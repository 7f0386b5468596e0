"""Login security over HTTP: throttling per account and per address with growing delays,
temporary lockout, no user enumeration, new-device notification, session hygiene."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.conftest import login, totp_now
from bawaba.core.models import AuditEvent
from bawaba.identity.models import AttemptCounter, KnownDevice, UserSession
from bawaba.identity.services import throttle
from bawaba.messaging.selectors import latest_message_to

from .helpers import page_text, strip_csrf

pytestmark = pytest.mark.django_db
MAHMOUD = ("2000112345", "Bawaba-Demo-2026")
MAHMOUD_PHONE = "+962781234567"


def fail(client: Client, username: str = "2000112345"):
    return client.post("/en/login/", {"username": username, "password": "wrong password!"})


def wait(key: str, seconds: float) -> None:
    """Pretend `seconds` passed since the last failure counted on `key`."""
    counter = AttemptCounter.objects.get(key=key)
    AttemptCounter.objects.filter(pk=counter.pk).update(
        last_failure_at=counter.last_failure_at - timedelta(seconds=seconds),
        first_failure_at=counter.first_failure_at - timedelta(seconds=seconds),
        locked_until=(counter.locked_until - timedelta(seconds=seconds)) if counter.locked_until else None,
    )


def test_delays_grow_after_free_failures(client, demo):
    key = throttle.account_key("2000112345")
    for _ in range(throttle.ACCOUNT_POLICY.free_failures):
        assert fail(client).status_code == 401
    assert fail(client).status_code == 401  # 4th failure: now delays start
    seen = []
    for expected in (1, 2, 4, 8):
        throttled = client.post("/en/login/", {"username": MAHMOUD[0], "password": MAHMOUD[1]})
        assert throttled.status_code == 429  # even the right password must wait
        assert throttled["Retry-After"] == str(expected)
        match = re.search(r"Please wait (\d+) seconds?", page_text(throttled))
        seen.append(int(match.group(1)))
        wait(key, expected)
        assert fail(client).status_code == 401
    assert seen == [1, 2, 4, 8]
    wait(key, 16)
    assert login(client, *MAHMOUD).status_code == 302  # after the delay, the right password works
    assert not AttemptCounter.objects.filter(key=key).exists()  # and the count starts again


def test_lockout_after_repeated_failures_and_sms_warning(client, demo):
    key = throttle.account_key("2000112345")
    for i in range(throttle.ACCOUNT_POLICY.lockout_after):
        if i:
            wait(key, 600)
        assert fail(client).status_code == 401
    counter = AttemptCounter.objects.get(key=key)
    assert counter.locked_until is not None
    assert counter.locked_until - counter.last_failure_at == throttle.ACCOUNT_POLICY.lockout
    warning = latest_message_to(MAHMOUD_PHONE)
    assert warning is not None and warning.purpose == "lockout"
    assert AuditEvent.objects.filter(action="login.password", data__locked=True).exists()
    locked = login(client, *MAHMOUD)
    assert locked.status_code == 429
    wait(key, 14 * 60)
    assert login(client, *MAHMOUD).status_code == 429  # 15 minutes not over yet
    wait(key, 2 * 60)
    assert login(client, *MAHMOUD).status_code == 302


def test_locked_unknown_account_looks_like_a_locked_real_one(demo):
    real, ghost = Client(), Client(REMOTE_ADDR="127.0.0.2")
    for name, c in (("2000112345", real), ("2000199999", ghost)):
        key = throttle.account_key(name)
        for i in range(throttle.ACCOUNT_POLICY.lockout_after):
            if i:
                wait(key, 600)
            assert fail(c, name).status_code == 401
    # Both locks end at the same instant, half-way through a second, so both pages show the
    # same countdown even when the two requests fall on either side of a second's boundary.
    keys = [throttle.account_key("2000112345"), throttle.account_key("2000199999")]
    until = timezone.now() + timedelta(seconds=900, milliseconds=500)
    assert (
        AttemptCounter.objects.filter(key__in=keys, locked_until__isnull=False).update(locked_until=until)
        == 2
    )
    r1 = real.post("/en/login/", {"username": "2000112345", "password": "x" * 10})
    r2 = ghost.post("/en/login/", {"username": "2000199999", "password": "x" * 10})
    assert r1.status_code == r2.status_code == 429
    assert strip_csrf(page_text(r1)).replace("2000112345", "N") == strip_csrf(page_text(r2)).replace(
        "2000199999", "N"
    )


def test_throttling_per_source_address(demo):
    attacker = Client(REMOTE_ADDR="127.0.0.9")
    for i in range(throttle.ADDRESS_POLICY.free_failures + 1):
        assert fail(attacker, f"99000{i:05d}").status_code == 401  # a new account each time
    blocked = attacker.post("/en/login/", {"username": MAHMOUD[0], "password": MAHMOUD[1]})
    assert blocked.status_code == 429
    # Another address is not affected, nor the account itself.
    assert login(Client(REMOTE_ADDR="127.0.0.10"), *MAHMOUD).status_code == 302
    wait(throttle.address_key("127.0.0.9"), 2)
    assert login(attacker, *MAHMOUD).status_code == 302


@pytest.mark.parametrize(
    "username,password",
    [
        ("", ""),
        ("9861001234", ""),
        ("x" * 10_000, "Bawaba-Demo-2026"),
        ("9861001234", "x" * 100_000),
        ("9861001234\x00", "Bawaba-Demo-2026"),
        ("' OR '1'='1", "' OR '1'='1"),
    ],
)
def test_bad_login_input_is_refused_cleanly(client, demo, username, password):
    response = client.post("/en/login/", {"username": username, "password": password})
    assert response.status_code in (401, 422)
    assert client.get("/en/account/").status_code == 302


def test_arabic_digits_in_login_identifier(client, demo):
    response = client.post("/en/login/", {"username": "٢٠٠٠١١٢٣٤٥", "password": MAHMOUD[1]})
    assert response.status_code == 302 and response["Location"] == "/en/account/"


def test_inactive_account_gets_the_same_answer(client, demo):
    user = demo["2000112345"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    inactive = login(client, *MAHMOUD)
    unknown = Client().post("/en/login/", {"username": "2000119999", "password": MAHMOUD[1]})
    assert inactive.status_code == unknown.status_code == 401


def test_session_key_changes_at_login_and_open_redirects_are_refused(client, demo):
    client.get("/en/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post(
        "/en/login/?next=https://evil.example/steal", {"username": MAHMOUD[0], "password": MAHMOUD[1]}
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    assert client.session.session_key != before
    response = Client().post(
        "/en/login/", {"username": MAHMOUD[0], "password": MAHMOUD[1], "next": "/en/account/sessions/"}
    )
    assert response["Location"] == "/en/account/sessions/"
    response = Client().post(
        "/en/login/", {"username": MAHMOUD[0], "password": MAHMOUD[1], "next": "//evil.example"}
    )
    assert response["Location"] == "/en/account/"


def test_new_device_login_is_notified(demo):
    first = Client(HTTP_USER_AGENT="Phone A")
    assert login(first, *MAHMOUD).status_code == 302
    assert latest_message_to(MAHMOUD_PHONE) is None  # the very first device: nothing to warn about
    assert first.cookies["bawaba_device"]["httponly"]
    first.post("/en/logout/")
    assert login(first, *MAHMOUD).status_code == 302  # same browser again
    assert latest_message_to(MAHMOUD_PHONE) is None
    second = Client(HTTP_USER_AGENT="Laptop B")
    assert login(second, *MAHMOUD).status_code == 302
    note = latest_message_to(MAHMOUD_PHONE)
    assert note is not None and note.purpose == "new_device"
    assert "new device" in note.body
    assert KnownDevice.objects.filter(user=demo["2000112345"]).count() == 2
    assert AuditEvent.objects.filter(action="login.new_device").count() == 1


def test_login_writes_session_last_login_and_audit_together(demo):
    """One login: the session listed (with its methods), last_login set, the audit event
    pointing at that session and chained; a returning browser seen more than a day ago is
    recognised (no warning) and its 'last seen' moves on."""
    from bawaba.core.audit import audit_verify_chain

    browser = Client(HTTP_USER_AGENT="Phone A")
    assert login(browser, *MAHMOUD).status_code == 302
    user = demo["2000112345"]
    user.refresh_from_db()
    tracked = UserSession.objects.get(user=user)
    assert tracked.amr == ["pwd"] and tracked.session_key == browser.session.session_key
    assert user.last_login == tracked.created_at
    event = AuditEvent.objects.get(action="login.success")
    assert event.object_id == str(tracked.id) and event.actor_id == str(user.pk)
    assert event.data == {"amr": ["pwd"]}
    device = KnownDevice.objects.get(user=user)
    KnownDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(days=3))
    browser.post("/en/logout/")
    assert login(browser, *MAHMOUD).status_code == 302
    device.refresh_from_db()
    assert timezone.now() - device.last_seen_at < timedelta(minutes=1)
    assert KnownDevice.objects.filter(user=user).count() == 1
    assert latest_message_to(MAHMOUD_PHONE) is None
    checked, problem = audit_verify_chain()
    assert problem is None and checked == AuditEvent.objects.count()


def test_new_device_after_second_factor_too(demo):
    a, b = Client(), Client()
    assert login(a, "9861001234", "Bawaba-Demo-2026", totp_now()).status_code == 302
    assert login(b, "9861001234", "Bawaba-Demo-2026", totp_now(offset_steps=1)).status_code == 302
    assert latest_message_to("+962791234567").purpose == "new_device"


def test_logout(client, demo):
    login(client, *MAHMOUD)
    assert client.get("/en/logout/").status_code == 405
    response = client.post("/en/logout/")
    assert response.status_code == 302
    assert client.get("/en/account/").status_code == 302
    assert UserSession.objects.get().ended_at is not None
    assert AuditEvent.objects.filter(action="logout").exists()


def test_login_audit_trail(client, demo):
    fail(client)
    login(client, *MAHMOUD)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "outcome"))
    # A password-only login completes at once: one success event, naming the method.
    assert actions == [
        ("login.password", "failure"),
        ("login.success", "success"),
    ]
    assert AuditEvent.objects.get(action="login.success").data == {"amr": ["pwd"]}
    failure = AuditEvent.objects.filter(outcome="failure").get()
    assert failure.ip == "127.0.0.1"
    assert failure.actor_label == "2000112345"
    assert "password" not in str(failure.data).lower() or "wrong" not in str(failure.data)


def test_old_failures_are_forgotten(client, demo):
    key = throttle.account_key("2000112345")
    for _ in range(6):
        fail(client)
        wait(key, 120)
    wait(key, 3600)
    fail(client)
    assert AttemptCounter.objects.get(key=key).failures == 1


def test_throttle_times_follow_the_clock(monkeypatch, demo):
    """The policies use django.utils.timezone.now: moving the clock forward lifts a lock."""
    client = Client()
    key = throttle.account_key("2000112345")
    for i in range(throttle.ACCOUNT_POLICY.lockout_after):
        if i:
            wait(key, 600)
        fail(client)
    assert login(client, *MAHMOUD).status_code == 429
    real_now = timezone.now
    monkeypatch.setattr(throttle.timezone, "now", lambda: real_now() + timedelta(minutes=16))
    assert login(client, *MAHMOUD).status_code == 302


def test_login_records_session_and_last_login_once(client, demo):
    """A login writes the session's row and the user's last_login (one statement on
    PostgreSQL); a login elsewhere (Django's own login, as the admin's) still sets it."""
    from django.contrib.auth import get_user_model

    from bawaba.identity.models import UserSession

    user = get_user_model().objects.get(username=MAHMOUD[0])
    assert user.last_login is None
    login(client, *MAHMOUD)
    user.refresh_from_db()
    tracked = UserSession.objects.get(user=user)
    assert user.last_login is not None and tracked.created_at == user.last_login
    assert tracked.session_key == client.session.session_key and tracked.amr == ["pwd"]
    assert tracked.ip == "127.0.0.1"
    other = get_user_model().objects.exclude(pk=user.pk).filter(is_active=True).first()
    Client().force_login(other)
    other.refresh_from_db()
    assert other.last_login is not None


def test_known_device_last_seen_is_refreshed_at_most_daily(demo):
    browser = Client(HTTP_USER_AGENT="Phone A")
    assert login(browser, *MAHMOUD).status_code == 302
    device = KnownDevice.objects.get(user=demo["2000112345"])
    long_ago = device.last_seen_at - timedelta(days=3)
    KnownDevice.objects.filter(pk=device.pk).update(last_seen_at=long_ago, first_seen_at=long_ago)
    browser.post("/en/logout/")
    assert login(browser, *MAHMOUD).status_code == 302  # the same browser, days later
    device.refresh_from_db()
    assert device.last_seen_at > long_ago + timedelta(days=2)
    seen = device.last_seen_at
    browser.post("/en/logout/")
    assert login(browser, *MAHMOUD).status_code == 302  # again the same day: not rewritten
    device.refresh_from_db()
    assert device.last_seen_at == seen and KnownDevice.objects.count() == 1
    assert latest_message_to(MAHMOUD_PHONE) is None  # never a "new device" message


def test_user_by_login_identifier_is_the_orm_row(demo):
    """get_by_natural_key (a plain statement on PostgreSQL) gives the same user, field for
    field, as the ORM's query; an unknown identifier raises DoesNotExist."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    fast = model.objects.get_by_natural_key("2000112345")
    orm = model.objects.get(username="2000112345")
    for field in model._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
    assert fast._state.adding is False and fast._state.db == "default"
    with pytest.raises(model.DoesNotExist):
        model.objects.get_by_natural_key("no-such-person")


def test_password_check_keeps_djangos_authenticate_contract(demo):
    """The password check loads the backends once but answers as django.contrib.auth's
    authenticate does: the user with its backend's path; on a wrong password, None after a
    user_login_failed signal that never carries the password."""
    from django.contrib.auth import user_login_failed

    from bawaba.identity.services.authentication import _authenticate

    user = _authenticate(*MAHMOUD)
    assert user is not None and user.pk == demo["2000112345"].pk
    assert user.backend == "bawaba.identity.backends.IdentityBackend"
    seen: list[dict] = []

    def listener(sender, credentials, request, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(credentials)

    user_login_failed.connect(listener)
    try:
        assert _authenticate(MAHMOUD[0], "wrong-password-123") is None
        assert _authenticate("9999999999", MAHMOUD[1]) is None
    finally:
        user_login_failed.disconnect(listener)
    assert [c["username"] for c in seen] == [MAHMOUD[0], "9999999999"]
    assert all("wrong-password" not in str(c) and MAHMOUD[1] not in str(c) for c in seen)


class _PasskeyOnlyBackend:
    """A backend that takes other credentials (as a passkey backend would)."""

    def authenticate(self, request, credential=None):  # type: ignore[no-untyped-def]
        raise AssertionError("called with a username and password")


def test_password_check_skips_backends_that_take_other_credentials(demo, settings):
    """As django.contrib.auth's authenticate: a backend whose authenticate() does not accept a
    username and password is skipped, not called (which would fail)."""
    from bawaba.identity.services.authentication import _authenticate

    settings.AUTHENTICATION_BACKENDS = [
        f"{__name__}._PasskeyOnlyBackend",
        "bawaba.identity.backends.IdentityBackend",
    ]
    user = _authenticate(*MAHMOUD)
    assert user is not None and user.backend == "bawaba.identity.backends.IdentityBackend"
    assert _authenticate(MAHMOUD[0], "wrong-password-123") is None


def test_login_read_of_counters_and_user_matches_the_separate_reads(client, demo):
    """On PostgreSQL a password login reads the throttle counters and the user in one
    statement: the counters (timestamps included) and the user must be what the separate
    reads give; an unknown identifier reads no user."""
    from django.db import connection

    from bawaba.identity.models import User
    from bawaba.identity.services.authentication import _login_reads

    for _ in range(4):
        fail(client)
    keys = [throttle.account_key(MAHMOUD[0]), throttle.address_key("127.0.0.1")]
    counters, row = _login_reads(keys, MAHMOUD[0])
    if connection.vendor != "postgresql":
        assert (counters, row) == (None, None)
        return
    separate = throttle._counters(keys)
    assert set(counters) == set(separate) == set(keys)
    for key in keys:
        a, b = counters[key], separate[key]
        assert (a.pk, a.failures, a.first_failure_at, a.last_failure_at, a.locked_until) == (
            b.pk,
            b.failures,
            b.first_failure_at,
            b.last_failure_at,
            b.locked_until,
        )
    attnames, _columns = User.objects.login_columns()
    expected = User.objects.get(username=MAHMOUD[0])
    assert dict(zip(attnames, row, strict=True))["id"] == expected.pk
    assert User.objects.get_by_natural_key(MAHMOUD[0]).password == expected.password
    assert _login_reads(keys, "0000000000") == (counters, None)
