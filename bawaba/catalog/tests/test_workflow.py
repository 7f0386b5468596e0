"""Editorial workflow in the back office: draft → review → published, with history."""

import pytest
from django.contrib.auth.models import Group

from bawaba.catalog.models import Service, ServiceRevision
from bawaba.catalog.roles import roles_sync
from bawaba.catalog.selectors import service_get
from bawaba.catalog.services import (
    service_publish,
    service_return_to_draft,
    service_submit_for_review,
    service_withdraw,
)
from bawaba.core.errors import Conflict, PermissionDenied, ValidationError
from bawaba.core.models import AuditEvent


@pytest.fixture
def staff(db, django_user_model):
    roles_sync()

    def make(username, role):
        user = django_user_model.objects.create(username=username, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return django_user_model.objects.get(pk=user.pk)  # fresh permission cache

    return (
        make("editor1", "Catalogue editor"),
        make("reviewer1", "Catalogue reviewer"),
        make("reviewer2", "Catalogue reviewer"),
    )


def _draft(editor):
    from bawaba.catalog.models import Agency

    agency = Agency.objects.create(code="TEST", name_ar="جهة تجريبية", name_en="Test agency")
    service = Service.objects.create(
        slug="test-service",
        agency=agency,
        name_ar="خدمة تجريبية",
        name_en="Test service",
        summary_ar="ملخص",
        summary_en="Summary",
    )
    Service.objects.filter(pk=service.pk).update(updated_by=editor)
    return Service.objects.get(pk=service.pk)


def test_draft_review_publish_with_history_and_audit(catalogue, staff, client):
    editor, reviewer, _r2 = staff
    service = _draft(editor)
    assert client.get("/en/services/test-service/").status_code == 404
    service_submit_for_review(service=service, actor=editor)
    with pytest.raises(PermissionDenied):
        service_publish(service=service, actor=editor)
    service_publish(service=service, actor=reviewer, comment="checked against the agency site")
    assert client.get("/en/services/test-service/").status_code == 200
    revisions = list(ServiceRevision.objects.filter(service=service).order_by("number"))
    assert [(r.action, r.from_status, r.to_status) for r in revisions] == [
        ("submitted", "draft", "review"),
        ("published", "review", "published"),
    ]
    assert revisions[1].actor_label == "reviewer1" and revisions[1].snapshot["slug"] == "test-service"
    assert AuditEvent.objects.filter(action="catalog.service.published", object_id="test-service").exists()
    # Search finds it once published.
    assert (
        "/en/services/test-service/"
        in client.get("/en/services/search/", {"q": "test service"}).content.decode()
    )


def test_reviewer_cannot_publish_own_changes(catalogue, staff):
    _editor, reviewer, reviewer2 = staff
    service = _draft(reviewer)
    service_submit_for_review(service=service, actor=reviewer)
    with pytest.raises(PermissionDenied):
        service_publish(service=service, actor=reviewer)
    service_publish(service=service, actor=reviewer2)


def test_incomplete_service_cannot_go_to_review(catalogue, staff):
    editor, _r, _r2 = staff
    service = _draft(editor)
    Service.objects.filter(pk=service.pk).update(summary_en="")
    with pytest.raises(ValidationError):
        service_submit_for_review(service=Service.objects.get(pk=service.pk), actor=editor)


def test_state_machine_refuses_wrong_transitions(catalogue, staff):
    editor, reviewer, _r2 = staff
    service = _draft(editor)
    with pytest.raises(Conflict):
        service_publish(service=service, actor=reviewer)  # not in review
    with pytest.raises(Conflict):
        service_return_to_draft(service=service, actor=editor)


def test_withdrawn_service_answers_410(catalogue, staff, client):
    _e, reviewer, _r2 = staff
    service_withdraw(service=service_get("cspd-lost-passport"), actor=reviewer)
    assert client.get("/en/services/cspd-lost-passport/").status_code == 410
    assert client.get("/services/cspd-lost-passport/").status_code == 410


def test_admin_edit_records_a_revision_and_actions_run_the_workflow(catalogue, logged_in_admin):
    client = logged_in_admin
    service = service_get("cspd-event-certificate")
    url = f"/en/admin/catalog/service/{service.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("categories", "life_events", "related"):
            data[name] = [getattr(v, "pk", v) for v in (value or [])]
        elif name in ("documents_ar", "documents_en", "steps_ar", "steps_en", "sources"):
            data[name] = "\n".join(value or [])
        elif name == "channels":
            data[name] = value or []
        elif name == "agency":
            data[name] = service.agency_id
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data["name_en"] = "Certificate of a registered civil event"
    data["last_reviewed"] = "2026-11-26"
    fees = list(service.fees.all())
    data.update(
        {
            "fees-TOTAL_FORMS": str(len(fees)),
            "fees-INITIAL_FORMS": str(len(fees)),
            "fees-MIN_NUM_FORMS": "0",
            "fees-MAX_NUM_FORMS": "1000",
        }
    )
    for i, fee in enumerate(fees):
        data.update(
            {
                f"fees-{i}-id": fee.pk,
                f"fees-{i}-service": service.pk,
                f"fees-{i}-order": fee.order,
                f"fees-{i}-label_ar": fee.label_ar,
                f"fees-{i}-label_en": fee.label_en,
                f"fees-{i}-amount_fils": "" if fee.amount_fils is None else fee.amount_fils,
            }
        )
    revs = service.revisions.count()
    data.update(
        {
            "revisions-TOTAL_FORMS": str(revs),
            "revisions-INITIAL_FORMS": str(revs),
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        }
    )
    for i, rev in enumerate(service.revisions.order_by("-number")):
        data.update({f"revisions-{i}-id": rev.pk, f"revisions-{i}-service": service.pk})
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    last = service.revisions.order_by("-number").first()
    assert last.action == "edited" and last.changes["name_en"][1] == "Certificate of a registered civil event"
    assert (
        "Certificate of a registered civil event"
        in client.get("/en/services/cspd-event-certificate/").content.decode()
    )
    # Workflow action from the change list.
    r = client.post(
        "/en/admin/catalog/service/", {"action": "return_to_draft", "_selected_action": [service.pk]}
    )
    assert r.status_code == 302
    assert Service.objects.get(pk=service.pk).status == "draft"


def test_editor_role_cannot_import_or_publish_in_admin(catalogue, staff):
    editor, reviewer, _r2 = staff
    assert editor.has_perm("catalog.change_service") and not editor.has_perm("catalog.publish_service")
    assert not editor.has_perm("catalog.import_catalogue")
    assert reviewer.has_perm("catalog.publish_service") and reviewer.has_perm("catalog.import_catalogue")
