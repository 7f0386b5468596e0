from __future__ import annotations

from django.db.models import QuerySet

from .models import OutboundMessage


def outbox_list(*, to: str | None = None, limit: int = 50) -> QuerySet[OutboundMessage]:
    qs = OutboundMessage.objects.all().order_by("-created_at")
    if to:
        qs = qs.filter(to=to)
    return qs[:limit]


def latest_message_to(to: str, *, purpose: str | None = None) -> OutboundMessage | None:
    qs = OutboundMessage.objects.filter(to=to)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("-created_at").first()


def messages_for_user(user_id: str) -> QuerySet[OutboundMessage]:
    """The user's notifications inbox (texts of one-time codes are masked there)."""
    return OutboundMessage.objects.filter(user_id=str(user_id)).order_by("-created_at")
