from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.messaging import services as messaging

from ..definitions import CleanedFile
from ..models import Application, ApplicationFile, Transition

# No 0/O, 1/I/L, 5/S or 8/B: readable aloud and over SMS, typed from paper without doubt.
REFERENCE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    year = timezone.localdate().year
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"BWB-{year}-{body}"


def actor_label(actor: Any) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "username", "") or "")


def record(
    app: Application,
    *,
    action: str,
    to_status: str,
    actor: Any,
    comment: str = "",
    visible: bool = True,
    by_citizen: bool = False,
    from_status: str | None = None,
) -> Transition:
    """One history row + one audit event, inside the caller's transaction."""
    t = Transition.objects.create(
        application=app,
        from_status=app.status if from_status is None else from_status,
        to_status=to_status,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor),
        by_citizen=by_citizen,
        comment=comment,
        visible_to_citizen=visible,
    )
    audit_record(
        action=f"application.{action}",
        actor=actor,
        object_type="application",
        object_id=app.reference or str(app.pk),
        data={"from": t.from_status, "to": to_status, "service": app.service_slug, "comment": bool(comment)},
    )
    return t


def notify(app: Application, message: str) -> None:
    """SMS the applicant (in the language they applied in) through the messaging port; the
    message also lands in their notifications inbox."""
    phone = getattr(app.applicant, "phone", "")
    if not phone:
        return
    messaging.sms_send(to=phone, body=message, purpose="application", user_id=str(app.applicant_id))


def sms_text(app: Application, kind: str) -> str:
    with translation.override(app.language or "ar"):
        path = reverse("portal:application", kwargs={"reference": app.reference})
        url = settings.BASE_URL + path
        params = {"ref": app.reference, "service": app.service_name, "url": url}
        texts = {
            "submitted": _(
                "Bawaba: we received your application %(ref)s (%(service)s). Follow it at %(url)s"
            ),
            "info_requested": _(
                "Bawaba: application %(ref)s needs more information from you. Please answer at %(url)s"
            ),
            "approved": _("Bawaba: application %(ref)s was approved. Details: %(url)s"),
            "rejected": _("Bawaba: application %(ref)s was not approved. The reason is at %(url)s"),
            "completed": _("Bawaba: application %(ref)s is complete. Details: %(url)s"),
            "withdrawn": _("Bawaba: you withdrew application %(ref)s."),
        }
        return texts[kind] % params


class StoredFiles:
    """Files written during one transaction; removed again if it rolls back, so a failed
    submission leaves nothing half-written on disk."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def save(self, app: Application, f: CleanedFile) -> ApplicationFile:
        name = default_storage.save(f"applications/{secrets.token_hex(16)}", ContentFile(f.data))
        self.names.append(name)
        import hashlib

        return ApplicationFile.objects.create(
            application=app,
            field_key=f.key,
            original_name=f.name,
            stored_name=name,
            content_type=f.content_type,
            size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(),
        )

    def cleanup(self) -> None:
        for name in self.names:
            try:
                default_storage.delete(name)
            except OSError:
                pass


def replace_files(app: Application, files: dict[str, CleanedFile], store: StoredFiles) -> None:
    """A new upload for a field replaces the previous one (its file is deleted on commit)."""
    for key, f in files.items():
        old = list(app.files.filter(field_key=key))
        if old:
            on_commit_delete([o.stored_name for o in old])
            app.files.filter(pk__in=[o.pk for o in old]).delete()
        store.save(app, f)


def on_commit_delete(names: list[str]) -> None:
    def _delete() -> None:
        for n in names:
            try:
                default_storage.delete(n)
            except OSError:
                pass

    transaction.on_commit(_delete)
