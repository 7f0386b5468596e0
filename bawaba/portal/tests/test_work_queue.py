"""The agency work queue in the back office, and the citizen's side of each step."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from bawaba.applications.models import Application, Transition
from bawaba.applications.selectors import application_by_reference
from bawaba.applications.tests.conftest import PDF, upload
from bawaba.core.models import AuditEvent
from bawaba.portal.tests.helpers import apply, citizen, reference_from, staff

CSPD_CERT = "cspd-e-certificate"
MOJ = "moj-non-conviction-certificate"
CERT_ANSWERS = {"certificate": "birth", "copies": "1", "delivery": "pickup"}


@pytest.fixture
def submitted(online):
    c = citizen()
    cspd = application_by_reference(reference_from(apply(c, CSPD_CERT, CERT_ANSWERS)))
    moj = application_by_reference(reference_from(apply(c, MOJ, {"purpose": "study"})))
    return {"citizen": c, "cspd": cspd, "moj": moj}


def act(client, app, action, **extra):
    return client.post(f"/en/admin/applications/application/{app.pk}/act/", {"action": action, **extra})


def test_staff_see_only_their_agency(submitted):
    officer = staff("officer")
    listing = officer.get("/en/admin/applications/application/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert submitted["cspd"].reference in body and submitted["moj"].reference not in body
    assert officer.get(f"/en/admin/applications/application/{submitted['moj'].pk}/change/").status_code in (
        302,
        404,
    )
    r = act(officer, submitted["moj"], "approve")
    assert r.status_code == 404
    assert application_by_reference(submitted["moj"].reference).status == "submitted"
    # The superuser sees every agency's applications.
    admin = staff("admin")
    body = admin.get("/en/admin/applications/application/").content.decode()
    assert submitted["cspd"].reference in body and submitted["moj"].reference in body


def test_filters_by_service_status_and_age(submitted):
    officer = staff("officer")
    base = "/en/admin/applications/application/"
    assert submitted["cspd"].reference in officer.get(base + f"?service={CSPD_CERT}").content.decode()
    assert submitted["cspd"].reference not in officer.get(base + "?status__exact=approved").content.decode()
    assert submitted["cspd"].reference in officer.get(base + "?age=le1").content.decode()
    assert submitted["cspd"].reference not in officer.get(base + "?age=overdue").content.decode()
    Application.objects.filter(pk=submitted["cspd"].pk).update(
        sla_due=timezone.localdate() - dt.timedelta(days=3)
    )
    overdue = officer.get(base + "?age=overdue").content.decode()
    assert submitted["cspd"].reference in overdue and "OVERDUE" in overdue and "sla-overdue" in overdue


def test_full_workflow_with_information_request(submitted, media):
    c, app = submitted["citizen"], submitted["cspd"]
    officer = staff("officer")
    assert officer.get(f"/en/admin/applications/application/{app.pk}/change/").status_code == 200
    assert act(officer, app, "assign_me").status_code == 302
    app.refresh_from_db()
    assert app.status == "in_review" and app.assigned_to.username == "officer"
    # A request for information needs a comment the citizen will read.
    act(officer, app, "request_info")
    app.refresh_from_db()
    assert app.status == "in_review"
    act(officer, app, "request_info", comment="Please attach the <b>old</b> certificate.")
    app.refresh_from_db()
    assert app.status == "info_requested" and app.sla_due is None
    page = c.get(f"/en/dashboard/applications/{app.reference}/").content.decode()
    assert "More information is needed" in page and "&lt;b&gt;old&lt;/b&gt;" in page
    # The citizen answers with a file; the application returns to review with a new target.
    r = c.post(
        f"/en/dashboard/applications/{app.reference}/respond/",
        {"comment": "Here it is", "response": upload("old.pdf", PDF)},
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "in_review" and app.sla_due is not None
    assert app.files.filter(field_key="response").count() == 1
    # Internal notes stay internal.
    act(officer, app, "comment", comment="Checked with the registry")
    assert (
        "Checked with the registry"
        not in c.get(f"/en/dashboard/applications/{app.reference}/").content.decode()
    )
    act(officer, app, "approve", comment="All good")
    act(officer, app, "complete", comment="Certificate sent by courier")
    app.refresh_from_db()
    assert app.status == "completed"
    page = c.get(f"/en/dashboard/applications/{app.reference}/").content.decode()
    for text in ("Approved", "All good", "Completed", "Certificate sent by courier", "How was this service?"):
        assert text in page
    # Every transition is recorded with who and when, and audited.
    actions = list(Transition.objects.filter(application=app).values_list("action", flat=True))
    assert actions == [
        "submitted",
        "assigned",
        "review_started",
        "info_requested",
        "responded",
        "comment",
        "approved",
        "completed",
    ]
    assert AuditEvent.objects.filter(
        object_id=app.reference, action__startswith="application."
    ).count() >= len(actions)
    # Withdrawal after a decision is refused.
    c.post(f"/en/dashboard/applications/{app.reference}/withdraw/")
    app.refresh_from_db()
    assert app.status == "completed"
    # The citizen got an SMS at each step.
    inbox = c.get("/en/dashboard/notifications/").content.decode()
    assert inbox.count(app.reference) >= 4


def test_rejection_needs_a_reason_and_illegal_transitions_are_refused(submitted):
    app = submitted["cspd"]
    officer = staff("officer")
    act(officer, app, "complete")
    app.refresh_from_db()
    assert app.status == "submitted"
    act(officer, app, "reject")
    app.refresh_from_db()
    assert app.status == "submitted"
    act(officer, app, "reject", comment="Not eligible: <script>x</script>")
    app.refresh_from_db()
    assert app.status == "rejected"
    page = submitted["citizen"].get(f"/en/dashboard/applications/{app.reference}/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    act(officer, app, "approve")
    app.refresh_from_db()
    assert app.status == "rejected"


def test_assigning_to_a_colleague_needs_the_supervisor_role(submitted, online):
    from django.contrib.auth import get_user_model

    app = submitted["cspd"]
    supervisor = get_user_model().objects.get(username="supervisor")
    officer = staff("officer")
    act(officer, app, "assign", assignee=str(supervisor.pk))
    app.refresh_from_db()
    assert app.assigned_to is None
    boss = staff("supervisor")
    officer_user = get_user_model().objects.get(username="officer")
    act(boss, app, "assign", assignee=str(officer_user.pk))
    app.refresh_from_db()
    assert app.assigned_to == officer_user
    # Someone of another agency cannot be chosen.
    act(boss, app, "assign", assignee=str(get_user_model().objects.get(username="admin").pk))
    app.refresh_from_db()
    assert app.assigned_to == officer_user


def test_staff_file_download_is_scoped(online, media):
    c = citizen()
    r = apply(
        c,
        "gam-vocational-licence-renewal",
        {"licence_number": "L1", "business_name": "Shop", "area_sqm": "20"},
        files={"lease": upload("lease.pdf", PDF)},
    )
    app = application_by_reference(reference_from(r))
    f = app.files.get()
    admin = staff("admin")
    page = admin.get(f"/en/admin/applications/application/{app.pk}/change/").content.decode()
    assert re.search(rf"/files/{f.pk}/", page)
    r = admin.get(f"/en/admin/applications/application/{app.pk}/files/{f.pk}/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    # The CSPD officer does not see GAM's files.
    assert staff("officer").get(f"/en/admin/applications/application/{app.pk}/files/{f.pk}/").status_code in (
        302,
        404,
    )


def test_rating_once_after_completion(submitted):
    c, app = submitted["citizen"], submitted["cspd"]
    # Not before completion.
    assert c.post(f"/en/dashboard/applications/{app.reference}/rate/", {"score": "5"}).status_code == 404
    officer = staff("officer")
    act(officer, app, "approve")
    act(officer, app, "complete")
    c.post(f"/en/dashboard/applications/{app.reference}/rate/", {"score": "9"})
    from bawaba.portal.selectors import rating_for_application

    assert rating_for_application(app.pk) is None
    c.post(f"/en/dashboard/applications/{app.reference}/rate/", {"score": "4", "comment": "Quick"})
    c.post(f"/en/dashboard/applications/{app.reference}/rate/", {"score": "1"})
    rating = rating_for_application(app.pk)
    assert rating.score == 4 and rating.agency_code == "CSPD"
    page = c.get(f"/en/dashboard/applications/{app.reference}/").content.decode()
    assert "You rated this service 4 out of 5" in page
    # Another citizen cannot rate it.
    assert (
        citizen("2000112345", otp=False)
        .post(f"/en/dashboard/applications/{app.reference}/rate/", {"score": "1"})
        .status_code
        == 404
    )
    # Satisfaction report in the back office.
    report = staff("admin").get("/en/admin/portal/pagefeedback/satisfaction/")
    assert report.status_code == 200 and CSPD_CERT in report.content.decode()
    assert officer.get("/en/admin/portal/pagefeedback/satisfaction/").status_code == 403
    assert staff("supervisor").get("/en/admin/portal/pagefeedback/satisfaction/").status_code == 200


def test_citizen_cannot_reach_the_work_queue(submitted):
    r = submitted["citizen"].get("/en/admin/applications/application/")
    assert r.status_code == 302 and "/login/" in r["Location"]
