"""The back office: staff only, with a second factor; roles give least privilege; the
in-person verification raises the assurance level to high and is audited."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from bawaba.conftest import login, totp_now
from bawaba.core.auth import SESSION_AMR
from bawaba.core.models import AuditEvent
from bawaba.identity.models import IdentityVerification, User
from bawaba.messaging.selectors import latest_message_to

from .helpers import page_text

pytestmark = pytest.mark.django_db


def staff_client(user: User, amr=("pwd", "otp", "mfa")) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_AMR] = list(amr)
    session.save()
    return client


def make_staff(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, "Staff-Passphrase-2026", kind="staff", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def verify_url(user: User) -> str:
    return f"/en/admin/identity/user/{user.pk}/verify-in-person/"


EVIDENCE = {"document_type": "id_card", "document_reference": "JO-ID-12345678", "service_centre": "Amman"}


def test_admin_needs_login(client, demo):
    response = client.get("/en/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/en/login/?next=")
    assert response.status_code == 200 and "Log in to Bawaba" in page_text(response)
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_admin_with_second_factor_gets_in(logged_in_admin):
    assert logged_in_admin.get("/en/admin/").status_code == 200
    assert logged_in_admin.get("/en/admin/identity/user/").status_code == 200
    assert logged_in_admin.get("/en/admin/core/auditevent/").status_code == 200


def test_staff_without_second_factor_is_refused(demo):
    for amr in ((), ("pwd",)):
        client = staff_client(demo["admin"], amr=amr)
        response = client.get("/en/admin/")
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert client.get("/en/admin/identity/user/").status_code == 302
        assert client.get(verify_url(demo["9861001234"])).status_code == 302


def test_staff_login_always_asks_for_a_second_factor(client, demo):
    response = client.post("/en/login/", {"username": "officer", "password": "Bawaba-Admin-2026"})
    assert response["Location"] == "/en/login/verify/"
    assert client.get("/en/admin/").status_code == 302
    client.post("/en/login/verify/", {"otp": totp_now()})
    assert client.get("/en/admin/").status_code == 200


def test_citizen_gets_no_back_office(logged_in_ahmad):
    response = logged_in_ahmad.get("/en/admin/")
    assert response.status_code == 302
    assert logged_in_ahmad.get("/en/admin/identity/user/").status_code == 302


def test_officer_records_in_person_verification(demo):
    officer = staff_client(demo["officer"])
    ahmad = demo["9861001234"]
    page = officer.get(verify_url(ahmad))
    assert page.status_code == 200
    assert ahmad.username in page_text(page)
    response = officer.post(verify_url(ahmad), EVIDENCE)
    assert response.status_code == 302
    ahmad.refresh_from_db()
    assert ahmad.assurance_level == "high"
    verification = IdentityVerification.objects.get(user=ahmad, method="in_person")
    assert verification.verified_by == demo["officer"]
    assert verification.document_reference == "5678"  # only the last digits are kept
    event = AuditEvent.objects.get(action="assurance.in_person", outcome="success")
    assert event.actor_id == str(demo["officer"].pk) and event.object_id == str(ahmad.pk)
    assert latest_message_to("+962791234567").purpose == "assurance_high"
    # The citizen sees it.
    citizen = Client()
    citizen.force_login(ahmad)
    assert "High" in page_text(citizen.get("/en/account/"))
    assert citizen.get("/api/v1/me").json()["assurance_level"] == "high"


@pytest.mark.parametrize(
    "data", [{}, {**EVIDENCE, "service_centre": "  "}, {**EVIDENCE, "document_type": "bribe"}]
)
def test_in_person_verification_needs_evidence(demo, data):
    officer = staff_client(demo["officer"])
    response = officer.post(verify_url(demo["2000112345"]), data)
    assert response.status_code == 200  # the form again, with errors
    assert "errorlist" in page_text(response)
    assert User.objects.get(username="2000112345").assurance_level == "low"


def test_officer_cannot_verify_themselves(demo):
    officer = staff_client(demo["officer"])
    officer.post(verify_url(demo["officer"]), EVIDENCE)
    assert User.objects.get(username="officer").assurance_level == "low"


def test_officer_cannot_change_users_or_read_the_audit_log(demo):
    officer = staff_client(demo["officer"])
    ahmad = demo["9861001234"]
    change = f"/en/admin/identity/user/{ahmad.pk}/change/"
    assert officer.get(change).status_code == 200  # view only
    response = officer.post(change, {"username": "hijacked", "kind": "citizen", "is_active": "on"})
    assert response.status_code == 403
    ahmad.refresh_from_db()
    assert ahmad.username == "9861001234"
    assert officer.get("/en/admin/identity/user/add/").status_code == 403
    assert officer.get(f"/en/admin/identity/user/{ahmad.pk}/delete/").status_code == 403
    assert officer.get("/en/admin/core/auditevent/").status_code == 403
    assert officer.get("/en/admin/auth/group/").status_code == 403


def test_support_agent_cannot_verify_in_person(demo):
    agent = staff_client(make_staff("agent", "Support agent"))
    ahmad = demo["2000112345"]
    assert agent.get(verify_url(ahmad)).status_code == 403
    assert agent.post(verify_url(ahmad), EVIDENCE).status_code == 403
    assert User.objects.get(pk=ahmad.pk).assurance_level == "low"


def test_staff_without_role_sees_nothing(demo):
    nobody = staff_client(make_staff("nobody", None))
    assert nobody.get("/en/admin/").status_code == 200  # an empty index
    assert nobody.get("/en/admin/identity/user/").status_code == 403
    assert nobody.get(verify_url(demo["2000112345"])).status_code == 403


def test_auditor_reads_audit_log_but_cannot_change_it(demo):
    auditor = staff_client(make_staff("auditor", "Auditor"))
    login(Client(), "2000112345", "Bawaba-Demo-2026")
    assert auditor.get("/en/admin/core/auditevent/").status_code == 200
    event = AuditEvent.objects.first()
    assert auditor.get(f"/en/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert auditor.post(f"/en/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert auditor.get("/en/admin/identity/user/").status_code == 403


def test_unknown_person_in_verify_url(demo):
    officer = staff_client(demo["officer"])
    response = officer.get("/en/admin/identity/user/00000000-0000-0000-0000-000000000000/verify-in-person/")
    assert response.status_code in (302, 404)


def test_inactive_staff_is_refused(demo):
    officer = demo["officer"]
    client = staff_client(officer)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get("/en/admin/").status_code == 302


def test_identity_administrator_cannot_grant_superuser(demo):
    from bawaba.identity.admin import UserAdmin

    admin_user = make_staff("idadmin", "Identity administrator")
    request = type("R", (), {"user": admin_user})()
    readonly = UserAdmin(User, None).get_readonly_fields(request, demo["9861001234"])
    assert {"is_superuser", "user_permissions", "groups", "is_staff", "assurance_level"} <= set(readonly)
