"""Feedback on pages and satisfaction with services. Nothing personal is kept: a page is
stored by its path without query string, never with the user; ratings keep the service
and agency, not the person."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PageFeedback(models.Model):
    class Kind(models.TextChoices):
        USEFUL = "useful", _("Page is useful")
        NOT_USEFUL = "not_useful", _("Page is not useful")
        PROBLEM = "problem", _("Problem reported")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    path = models.CharField(_("page"), max_length=300, db_index=True)
    language = models.CharField(_("language"), max_length=2)
    what_doing = models.TextField(_("what they were doing"), blank=True)
    what_wrong = models.TextField(_("what went wrong"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        ordering = ["-created_at"]
        permissions = [("view_satisfaction", _("Can see satisfaction reports"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


class ServiceRating(models.Model):
    """A citizen's 1–5 rating of a service after their application completed (one per
    application; the application id is kept only to enforce that)."""

    application_id = models.UUIDField(unique=True)
    service_slug = models.SlugField(max_length=80, db_index=True)
    agency_code = models.CharField(max_length=20, db_index=True)
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="portal_rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.service_slug} {self.score}"


class FeedbackThrottle(models.Model):
    """Feedback posts per client address per window (hashed address, never the address)."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
