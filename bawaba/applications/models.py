"""Online applications: form definitions stored as data, applications with a status
workflow, their uploaded files, every transition, and the holiday calendar used for
service-level targets. Workflows live in services/, never here."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

ACR_CHOICES = [
    ("", _("As the catalogue says for the service")),
    ("loa-low", _("Low: any login")),
    ("loa-substantial", _("Substantial: second factor and a registry-matched identity")),
    ("loa-high", _("High: second factor and an identity verified in person")),
]


class FormDefinition(models.Model):
    """How to apply online for one catalogue service. Edited by staff in the back office;
    every saved change increases `version`, and an application keeps a snapshot of the
    version it was submitted against."""

    service_slug = models.SlugField(_("service (catalogue address)"), max_length=80, unique=True)
    agency_code = models.CharField(_("agency code"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("accepting applications"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    intro_ar = models.TextField(_("introduction (Arabic)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    min_acr = models.CharField(
        _("assurance level to apply"),
        max_length=20,
        choices=ACR_CHOICES,
        blank=True,
        help_text=_("Leave empty to use the level the catalogue gives the service."),
    )
    fee_fils = models.BigIntegerField(
        _("online fee in fils"),
        null=True,
        blank=True,
        help_text=_(
            "Amount due for an online application (1 JOD = 1000 fils). Empty: the sum of the "
            "catalogue's fee lines that have a fixed amount."
        ),
    )
    sla_working_days = models.PositiveSmallIntegerField(_("service-level target (working days)"), default=5)
    snapshot = models.JSONField(default=list, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application form")
        verbose_name_plural = _("application forms")
        ordering = ["service_slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_fils__isnull=True) | Q(fee_fils__gte=0), name="applications_fee_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.service_slug


class FormField(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        NATIONAL_NUMBER = "national_number", _("National number")
        PHONE = "phone", _("Mobile number")
        FILE = "file", _("File upload")

    class Prefill(models.TextChoices):
        NONE = "", _("Typed by the applicant")
        NAME = "name", _("Applicant's name (from the digital identity)")
        NATIONAL_NUMBER = "national_number", _("Applicant's national number (from the digital identity)")
        PHONE = "phone", _("Applicant's mobile number (from the digital identity)")

    form = models.ForeignKey(FormDefinition, models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Stable machine name, e.g. passport_number. Letters, digits, _")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    prefill = models.CharField(
        _("filled from the identity"), max_length=20, choices=Prefill.choices, blank=True
    )
    required = models.BooleanField(_("required"), default=True)
    label_ar = models.CharField(_("label (Arabic)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    help_ar = models.CharField(_("help (Arabic)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For choice fields: [{"value": "a", "label_ar": "…", "label_en": "…"}, …]'),
    )
    min_length = models.PositiveIntegerField(_("minimum length"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    min_value = models.DecimalField(
        _("minimum value"), max_digits=18, decimal_places=3, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum value"), max_digits=18, decimal_places=3, null=True, blank=True
    )
    regex = models.CharField(_("pattern (regular expression)"), max_length=300, blank=True)
    regex_message_ar = models.CharField(_("pattern error (Arabic)"), max_length=200, blank=True)
    regex_message_en = models.CharField(_("pattern error (English)"), max_length=200, blank=True)
    date_min = models.CharField(
        _("earliest date"),
        max_length=20,
        blank=True,
        help_text=_("YYYY-MM-DD, or 'today', or e.g. 'today-18y'"),
    )
    date_max = models.CharField(
        _("latest date"), max_length=20, blank=True, help_text=_("Same forms as above.")
    )
    file_types = models.CharField(
        _("allowed file types"), max_length=100, blank=True, help_text=_("Comma-separated: pdf, png, jpeg")
    )
    max_size_kb = models.PositiveIntegerField(_("maximum file size (KB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["form", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="applications_field_key_unique")]

    def __str__(self) -> str:
        return self.key


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        INFO_REQUESTED = "info_requested", _("More information needed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Payment(models.TextChoices):
        NONE = "none", _("Nothing to pay")
        AWAITING = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    form = models.ForeignKey(FormDefinition, models.PROTECT, related_name="applications")
    service_slug = models.SlugField(_("service"), max_length=80, db_index=True)
    agency_code = models.CharField(_("agency"), max_length=20, db_index=True)
    service_name_ar = models.CharField(max_length=200)
    service_name_en = models.CharField(max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    form_version = models.PositiveIntegerField(_("form version"))
    form_snapshot = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    submit_token = models.CharField(max_length=64)
    language = models.CharField(max_length=2, default="ar")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned to"),
    )
    amount_due_fils = models.BigIntegerField(_("amount due (fils)"), default=0)
    payment_status = models.CharField(
        _("payment"), max_length=20, choices=Payment.choices, default=Payment.NONE
    )
    bill_reference = models.CharField(_("bill reference"), max_length=40, blank=True)
    sla_due = models.DateField(_("target date"), null=True, blank=True)
    sla_paused_days = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "submit_token"], name="applications_one_per_token"),
            models.UniqueConstraint(
                fields=["applicant", "service_slug"],
                condition=Q(status="draft"),
                name="applications_one_draft_per_service",
            ),
            models.CheckConstraint(
                condition=Q(amount_due_fils__gte=0), name="applications_amount_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["agency_code", "status"])]
        permissions = [
            ("process_application", _("Can process applications of their agency")),
            ("assign_application", _("Can assign applications to colleagues")),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft {self.service_slug}"

    @property
    def service_name(self) -> str:
        lang = (translation.get_language() or "ar")[:2]
        return (self.service_name_en if lang == "en" else self.service_name_ar) or self.service_name_ar

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.IN_REVIEW,
    Application.Status.INFO_REQUESTED,
)
DECIDED_STATUSES = (Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.COMPLETED)


class ApplicationFile(models.Model):
    """An uploaded file, stored under MEDIA_ROOT with a random name; never served publicly."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, models.CASCADE, related_name="files")
    field_key = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    replaced = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.original_name


class Transition(models.Model):
    application = models.ForeignKey(Application, models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    by_citizen = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    visible_to_citizen = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class Holiday(models.Model):
    """A public holiday. `recurring` ones (1 January, 1 May, 25 May, 25 December) repeat on
    the same date each year; the Islamic holidays are entered each year as announced."""

    date = models.DateField(_("date"))
    recurring = models.BooleanField(_("every year on this date"), default=False)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        constraints = [models.UniqueConstraint(fields=["date"], name="applications_holiday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name_en}"
