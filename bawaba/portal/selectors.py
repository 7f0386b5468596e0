"""Reads of the portal: ratings and satisfaction reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth

from .models import PageFeedback, ServiceRating


def rating_for_application(application_id: uuid.UUID | str) -> ServiceRating | None:
    return ServiceRating.objects.filter(application_id=application_id).first()


@dataclass
class Row:
    key: str
    month: str
    yes: int = 0
    no: int = 0
    problems: int = 0
    ratings: int = 0
    average: float | None = None

    @property
    def useful_ratio(self) -> int | None:
        total = self.yes + self.no
        return round(100 * self.yes / total) if total else None


def _month(d) -> str:  # type: ignore[no-untyped-def]
    return d.strftime("%Y-%m") if d else ""


def satisfaction_by_page(limit: int = 500) -> list[Row]:
    rows = (
        PageFeedback.objects.annotate(month=TruncMonth("created_at"))
        .values("path", "month")
        .annotate(
            yes=Count("id", filter=Q(kind=PageFeedback.Kind.USEFUL)),
            no=Count("id", filter=Q(kind=PageFeedback.Kind.NOT_USEFUL)),
            problems=Count("id", filter=Q(kind=PageFeedback.Kind.PROBLEM)),
        )
        .order_by("-month", "path")[:limit]
    )
    return [
        Row(key=r["path"], month=_month(r["month"]), yes=r["yes"], no=r["no"], problems=r["problems"])
        for r in rows
    ]


def _service_from_path(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "services" and parts[1] not in ("search", "agencies", "life-events"):
        return parts[1]
    return None


def satisfaction_by_service(limit: int = 500) -> list[Row]:
    """Per service and month: 'useful?' votes on the service's pages and 1–5 ratings."""
    table: dict[tuple[str, str], Row] = {}
    for r in satisfaction_by_page(limit=5000):
        slug = _service_from_path(r.key)
        if slug:
            row = table.setdefault((slug, r.month), Row(key=slug, month=r.month))
            row.yes += r.yes
            row.no += r.no
            row.problems += r.problems
    ratings = (
        ServiceRating.objects.annotate(month=TruncMonth("created_at"))
        .values("service_slug", "month")
        .annotate(n=Count("id"), avg=Avg("score"))
    )
    for rating in ratings:
        slug, month = rating["service_slug"], _month(rating["month"])
        entry = table.setdefault((slug, month), Row(key=slug, month=month))
        entry.ratings, entry.average = rating["n"], round(float(rating["avg"]), 2)
    return sorted(table.values(), key=lambda x: (x.month, x.key), reverse=True)[:limit]


def satisfaction_by_agency(agency_of: dict[str, str] | None = None) -> list[Row]:
    """Per agency and month: ratings, plus page votes on its services' pages when
    `agency_of` (service slug → agency code) is given."""
    table: dict[tuple[str, str], Row] = {}
    ratings = (
        ServiceRating.objects.annotate(month=TruncMonth("created_at"))
        .values("agency_code", "month")
        .annotate(n=Count("id"), avg=Avg("score"))
    )
    for r in ratings:
        m = _month(r["month"])
        row = table.setdefault((r["agency_code"], m), Row(key=r["agency_code"], month=m))
        row.ratings, row.average = r["n"], round(float(r["avg"]), 2)
    if agency_of:
        for s in satisfaction_by_service(limit=5000):
            code = agency_of.get(s.key)
            if code:
                row = table.setdefault((code, s.month), Row(key=code, month=s.month))
                row.yes += s.yes
                row.no += s.no
                row.problems += s.problems
    return sorted(table.values(), key=lambda x: (x.month, x.key), reverse=True)
