"""The one representation of catalogue objects used by revisions, export and import."""

from __future__ import annotations

from typing import Any

from .models import Agency, Category, LifeEvent, Service, ServiceCentre

SERVICE_TEXT_FIELDS = [
    "name_ar",
    "name_en",
    "summary_ar",
    "summary_en",
    "description_ar",
    "description_en",
    "eligibility_ar",
    "eligibility_en",
    "processing_time_ar",
    "processing_time_en",
    "legal_basis_ar",
    "legal_basis_en",
    "staff_notes",
    "external_url",
]
SERVICE_LIST_FIELDS = ["documents_ar", "documents_en", "steps_ar", "steps_en", "channels", "sources"]
AGENCY_FIELDS = [
    "code",
    "kind",
    "name_ar",
    "name_en",
    "description_ar",
    "description_en",
    "website",
    "email",
    "phone",
    "address_ar",
    "address_en",
    "logo_text",
    "logo_colour",
]
CENTRE_FIELDS = ["name_ar", "name_en", "governorate", "address_ar", "address_en", "phone"]


def service_to_dict(service: Service) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": service.slug, "status": service.status, "agency": service.agency.code}
    for f in SERVICE_TEXT_FIELDS + SERVICE_LIST_FIELDS:
        data[f] = getattr(service, f)
    data["fees"] = [
        {"label_ar": fee.label_ar, "label_en": fee.label_en, "amount_fils": fee.amount_fils}
        for fee in service.fees.all()
    ]
    data["categories"] = sorted(c.key for c in service.categories.all())
    data["life_events"] = sorted(e.key for e in service.life_events.all())
    data["related"] = sorted(r.slug for r in service.related.all())
    data["online_application"] = service.online_application
    data["min_acr"] = service.min_acr
    data["popularity"] = service.popularity
    data["last_reviewed"] = service.last_reviewed.isoformat() if service.last_reviewed else None
    return data


def agency_to_dict(agency: Agency) -> dict[str, Any]:
    data = {f: getattr(agency, f) for f in AGENCY_FIELDS}
    data["parent"] = agency.parent.code if agency.parent_id else None
    data["centres"] = [centre_to_dict(c) for c in agency.centres.all()]
    return data


def centre_to_dict(centre: ServiceCentre) -> dict[str, Any]:
    data = {f: getattr(centre, f) for f in CENTRE_FIELDS}
    data["working_days"] = list(centre.working_days)
    data["opens_at"] = (
        centre.opens_at.strftime("%H:%M") if hasattr(centre.opens_at, "strftime") else str(centre.opens_at)
    )
    data["closes_at"] = (
        centre.closes_at.strftime("%H:%M") if hasattr(centre.closes_at, "strftime") else str(centre.closes_at)
    )
    return data


def category_to_dict(c: Category) -> dict[str, Any]:
    return {"key": c.key, "name_ar": c.name_ar, "name_en": c.name_en, "order": c.order}


def life_event_to_dict(e: LifeEvent) -> dict[str, Any]:
    return {
        "key": e.key,
        "name_ar": e.name_ar,
        "name_en": e.name_en,
        "description_ar": e.description_ar,
        "description_en": e.description_en,
        "order": e.order,
    }


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """Field-level changes: {field: [old, new]}."""
    if not before:
        return {}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def slug_ok(value: str) -> bool:
    import re

    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value))
