"""Organisations (companies, agencies) and the people who act on their behalf."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import PermissionDenied

from ..models import Membership, Organisation, User


def organisation_create(
    *,
    kind: str,
    name_ar: str,
    name_en: str,
    code: str | None = None,
    registration_number: str | None = None,
    actor: User | None = None,
) -> Organisation:
    org = Organisation.objects.create(
        kind=kind,
        name_ar=name_ar,
        name_en=name_en,
        code=code or None,
        registration_number=registration_number or None,
    )
    audit_record(action="organisation.create", actor=actor, object_type="organisation", object_id=org.pk)
    return org


def membership_set(
    *, organisation: Organisation, user: User, role: str, actor: User | None = None
) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    audit_record(
        action="organisation.membership",
        actor=actor,
        object_type="organisation",
        object_id=organisation.pk,
        data={"user": str(user.pk), "role": role},
    )
    return membership


def acting_as_check(*, user: User, organisation_id: str) -> Organisation:
    """The organisation `user` may represent, or PermissionDenied."""
    try:
        org_uuid = uuid.UUID(str(organisation_id))
    except ValueError:
        org_uuid = None
    membership = (
        Membership.objects.select_related("organisation").filter(user=user, organisation_id=org_uuid).first()
        if org_uuid
        else None
    )
    if membership is None or not membership.can_represent:
        raise PermissionDenied(_("You cannot act on behalf of this organisation."), code="not_representative")
    audit_record(
        action="organisation.act_as", actor=user, object_type="organisation", object_id=organisation_id
    )
    return membership.organisation
