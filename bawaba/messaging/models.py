import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessage(models.Model):
    """A message the platform sent (or will send) to a person: the record behind the
    development outbox, the delivery worker and the citizen's notifications inbox."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    to = models.CharField(_("recipient"), max_length=32, db_index=True)
    user_id = models.CharField(_("user"), max_length=64, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=50)
    body = models.TextField(_("text"))
    redacted_body = models.TextField(_("text shown in the inbox"))
    sensitive = models.BooleanField(_("contains a secret code"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    adapter = models.CharField(_("adapter"), max_length=100, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="msg_user_created")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}: {self.purpose}"
