from django.db.models import Q, QuerySet

from .models import AuditEvent


def audit_events_for_user(user_id: str) -> QuerySet[AuditEvent]:
    """What a person did, and what was done to their account (shown on 'My account')."""
    uid = str(user_id)
    return AuditEvent.objects.filter(Q(actor_id=uid) | Q(object_type="user", object_id=uid)).order_by("-seq")
