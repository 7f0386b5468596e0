"""Sending messages. Callers describe what to send; delivery runs as a background task
scheduled when the caller's transaction commits (so a rolled-back action sends nothing)."""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .adapters import get_sms_adapter
from .models import OutboundMessage

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def _redact(body: str) -> str:
    return re.sub(r"\d{4,}", lambda m: "•" * len(m.group(0)), body)


def sms_send(*, to: str, body: str, purpose: str, user_id: str = "", sensitive: bool = False) -> uuid.UUID:
    """Queue one SMS to an E.164 number. `sensitive` marks one-time codes: the inbox shows
    them masked and, outside demo mode, the stored text is masked once sent."""
    message = OutboundMessage.objects.create(
        to=to,
        body=body,
        redacted_body=_redact(body) if sensitive else body,
        sensitive=sensitive,
        purpose=purpose[:50],
        user_id=str(user_id or ""),
    )
    from .tasks import deliver_sms

    message_id = str(message.id)
    transaction.on_commit(lambda: deliver_sms.enqueue(message_id))
    return message.id


def message_deliver(*, message_id: str) -> str:
    """Hand one queued message to the adapter. Idempotent: a message already sent is left alone."""
    adapter = get_sms_adapter()
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(id=message_id).first()
        if message is None or message.status != OutboundMessage.Status.QUEUED:
            return message.status if message else "missing"
        message.attempts += 1
        try:
            result = adapter.send(to=message.to, body=message.body, message_id=str(message.id))
        except Exception as exc:  # an adapter's failure must not lose the message
            logger.warning("sms delivery failed", extra={"message_id": message_id, "error": str(exc)})
            message.error = str(exc)[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboundMessage.Status.FAILED
            message.save(update_fields=["attempts", "error", "status"])
            return message.status
        message.status = OutboundMessage.Status.DELIVERED if result.delivered else OutboundMessage.Status.SENT
        message.provider_ref = result.provider_ref[:100]
        message.adapter = adapter.name
        message.sent_at = timezone.now()
        message.error = ""
        fields = ["attempts", "status", "provider_ref", "adapter", "sent_at", "error"]
        if message.sensitive and not settings.DEMO_MODE:
            message.body = message.redacted_body
            fields.append("body")
        message.save(update_fields=fields)
        return message.status
