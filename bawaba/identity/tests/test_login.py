import re

import pytest

from bawaba.conftest import login, totp_now
from bawaba.core.models import AuditEvent
from bawaba.identity.models import UserSession

pytestmark = pytest.mark.django_db


def test_password_only_user_logs_in(client, demo):
    response = login(client, "2000112345", "Bawaba-Demo-2026")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/"
    page = client.get("/en/account/")
    assert page.status_code == 200
    assert "Mahmoud Sami Al-Omari" in page.content.decode()
    assert UserSession.objects.filter(user=demo["2000112345"], ended_at__isnull=True).count() == 1


def test_totp_user_needs_second_factor(client, demo):
    response = client.post("/en/login/", {"username": "9861001234", "password": "Bawaba-Demo-2026"})
    assert response.status_code == 302 and response["Location"] == "/en/login/verify/"
    assert client.get("/en/account/").status_code == 302  # not logged in yet
    response = client.post("/en/login/verify/", {"otp": totp_now()})
    assert response.status_code == 302
    assert client.get("/en/account/").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, demo):
    wrong = client.post("/en/login/", {"username": "9861001234", "password": "not-the-password"})
    unknown = client.post("/en/login/", {"username": "9999999999", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401

    def strip(r):
        html = r.content.decode().replace("9861001234", "X").replace("9999999999", "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert strip(wrong) == strip(unknown)
    assert AuditEvent.objects.filter(action="login.password", outcome="failure").count() == 2
