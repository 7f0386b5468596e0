"""The platform's shared tables: the append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's guards: refuse them too."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("Audit events are append-only.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("Audit events are append-only.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class AuditEvent(models.Model):
    """One security-relevant action. Rows are never updated or deleted by the platform:
    each holds the hash of the one before, so `bawaba audit_verify` detects any change."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    seq = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor_id", "-seq"], name="audit_actor_seq")]
        permissions = [("view_metrics", _("Can read the Prometheus metrics"))]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("Audit events are append-only.")


class AuditHead(models.Model):
    """A single row holding the last sequence number and hash. Writers lock it, so the
    chain has no forks, and truncating the tail of the log is detected."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    # The hash before the last one: on PostgreSQL the append's one statement reads it back
    # from the head it has just advanced (core.audit.AuditAppend).
    prev_hash = models.CharField(max_length=64, default="0" * 64)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
