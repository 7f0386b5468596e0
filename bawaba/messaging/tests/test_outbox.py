"""The development SMS outbox: the staff page and the `bawaba sms_outbox` command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from bawaba.core.auth import SESSION_AMR
from bawaba.messaging import services
from bawaba.messaging.models import OutboundMessage
from bawaba.messaging.selectors import latest_message_to, messages_for_user

pytestmark = pytest.mark.django_db


def staff(user, amr=("pwd", "otp", "mfa")) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_AMR] = list(amr)
    session.save()
    return client


@pytest.fixture
def code_message(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_send(
            to="+962791112233", body="Bawaba: your login code is 123456.", purpose="otp_login", sensitive=True
        )
    return OutboundMessage.objects.get()


def test_message_is_delivered_by_the_outbox_adapter(code_message):
    code_message.refresh_from_db()
    assert code_message.status == "delivered"
    assert code_message.adapter == "outbox"
    assert code_message.body.endswith("123456.")  # demo mode keeps the text readable
    assert "••••••" in code_message.redacted_body


def test_outside_demo_mode_sensitive_text_is_masked_once_sent(
    settings, db, django_capture_on_commit_callbacks
):
    settings.DEMO_MODE = False
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_send(to="+962791112233", body="code 654321", purpose="otp_login", sensitive=True)
    message = OutboundMessage.objects.get()
    assert "654321" not in message.body


def test_failing_adapter_keeps_the_message(settings, db, django_capture_on_commit_callbacks):
    settings.BAWABA_SMS_ADAPTER = "failing"
    with django_capture_on_commit_callbacks(execute=True):
        message_id = services.sms_send(to="+962791112233", body="hello", purpose="test")
    message = OutboundMessage.objects.get(pk=message_id)
    assert message.status == "queued" and message.attempts == 1 and message.error
    for _ in range(2):
        services.message_deliver(message_id=str(message_id))
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3
    assert services.message_deliver(message_id=str(message_id)) == "failed"  # idempotent


def test_rolled_back_action_sends_nothing(db):
    from django.db import transaction

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.sms_send(to="+962791112233", body="never", purpose="test")
        1 / 0  # noqa: B018
    assert latest_message_to("+962791112233") is None


def test_staff_outbox_page(demo, code_message):
    response = staff(demo["admin"]).get("/en/staff/sms-outbox/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "+962791112233" in text and "123456" in text
    assert staff(demo["admin"]).get("/staff/sms-outbox/").status_code == 200


def test_outbox_page_refused(demo, code_message, settings):
    anonymous = Client().get("/en/staff/sms-outbox/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    citizen = staff(demo["9861001234"])
    assert citizen.get("/en/staff/sms-outbox/").status_code == 302
    assert staff(demo["admin"], amr=("pwd",)).get("/en/staff/sms-outbox/").status_code == 404
    settings.DEMO_MODE = False
    assert staff(demo["admin"]).get("/en/staff/sms-outbox/").status_code == 404


def test_sms_outbox_command(code_message):
    out = StringIO()
    call_command("sms_outbox", stdout=out)
    assert "+962791112233" in out.getvalue() and "123456" in out.getvalue()
    out = StringIO()
    call_command("sms_outbox", "--to", "0791112233", "--limit", "1", stdout=out)
    assert "123456" in out.getvalue()
    out = StringIO()
    call_command("sms_outbox", "--to", "0781112233", stdout=out)
    assert "(the outbox is empty)" in out.getvalue()


def test_sms_outbox_command_bad_number(db):
    with pytest.raises(CommandError):
        call_command("sms_outbox", "--to", "not a phone", stdout=StringIO())


def test_messages_for_user(db):
    services.sms_send(to="+962791112233", body="hi", purpose="test", user_id="u1")
    services.sms_send(to="+962791112233", body="other", purpose="test", user_id="u2")
    assert [m.body for m in messages_for_user("u1")] == ["hi"]
