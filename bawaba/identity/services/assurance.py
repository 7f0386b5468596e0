"""Identity assurance levels: low (self-asserted, mobile verified), substantial (matched
with the civil registry), high (verified in person by staff)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import PermissionDenied, ValidationError
from bawaba.core.models import AuditEvent
from bawaba.messaging import services as messaging

from ..adapters import get_civil_registry
from ..models import ASSURANCE_ORDER, AssuranceLevel, IdentityVerification, User


def _raise_to(user: User, level: str) -> bool:
    if ASSURANCE_ORDER[AssuranceLevel(level)] > ASSURANCE_ORDER[AssuranceLevel(user.assurance_level)]:
        user.assurance_level = level
        return True
    return False


def identity_match_civil_registry(*, user: User) -> bool:
    """Match the account with the civil registry (citizens). On a match the names come
    from the registry and the level rises to substantial. Returns whether it matched."""
    if user.kind != User.Kind.CITIZEN or not user.national_number:
        raise ValidationError(
            _("Only citizens' accounts can be matched with the civil registry."), code="not_citizen"
        )
    record = get_civil_registry().lookup(user.national_number)
    if record is None or record.date_of_birth != user.date_of_birth:
        audit_record(
            action="assurance.civil_registry",
            outcome=AuditEvent.Outcome.FAILURE,
            actor=user,
            data={"reason": "no_match"},
        )
        return False
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.name_ar, user.name_en = record.full_name_ar, record.full_name_en
        user.given_name_ar, user.family_name_ar = record.given_name_ar, record.family_name_ar
        user.given_name_en, user.family_name_en = record.given_name_en, record.family_name_en
        _raise_to(user, AssuranceLevel.SUBSTANTIAL)
        user.save()
        IdentityVerification.objects.create(
            user=user, method=IdentityVerification.Method.CIVIL_REGISTRY, level=user.assurance_level
        )
        audit_record(action="assurance.civil_registry", actor=user, data={"level": user.assurance_level})
    return True


def identity_verify_in_person(
    *, user: User, staff: User, document_type: str, document_reference: str, service_centre: str
) -> IdentityVerification:
    """Staff at a service centre saw the person and their document: level high."""
    if not (staff.is_active and staff.is_staff and staff.has_perm("identity.verify_in_person")):
        audit_record(
            action="assurance.in_person",
            outcome=AuditEvent.Outcome.DENIED,
            actor=staff,
            object_type="user",
            object_id=user.pk,
        )
        raise PermissionDenied()
    if staff.pk == user.pk:
        raise PermissionDenied(_("Staff cannot verify their own identity."), code="self_verification")
    if not (document_type or "").strip() or not (service_centre or "").strip():
        raise ValidationError(
            _("Record the document checked and the service centre."), code="evidence_required"
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _raise_to(user, AssuranceLevel.HIGH)
        user.save(update_fields=["assurance_level"])
        verification = IdentityVerification.objects.create(
            user=user,
            method=IdentityVerification.Method.IN_PERSON,
            level=AssuranceLevel.HIGH,
            verified_by=staff,
            document_type=document_type.strip()[:50],
            document_reference=document_reference.strip()[-4:],
            service_centre=service_centre.strip()[:200],
        )
        audit_record(
            action="assurance.in_person",
            actor=staff,
            object_type="user",
            object_id=user.pk,
            data={"document_type": verification.document_type, "service_centre": verification.service_centre},
        )
        if user.phone and user.phone_verified:
            messaging.sms_send(
                to=user.phone,
                body=_(
                    "Bawaba: your identity was verified in person. Your account now has the high assurance level."
                ),
                purpose="assurance_high",
                user_id=str(user.pk),
            )
    return verification
