"""Service catalogue: agencies, their service centres, categories, life events, services
(with fees and revisions) and the search index."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .constants import ACR_CHOICES, AGENCY_KINDS, DEFAULT_WORKING_DAYS, GOVERNORATE_CHOICES

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lower-case Latin letters, digits and single hyphens.")
)
code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$", _("Use capital Latin letters, digits and hyphens.")
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b6e4f."))


class Bilingual(models.Model):
    """`obj.tr("name")` gives name_ar or name_en for the active language, falling back to the other."""

    class Meta:
        abstract = True

    def tr(self, field: str) -> str:
        lang = (translation.get_language() or "ar")[:2]
        first, second = (f"{field}_en", f"{field}_ar") if lang == "en" else (f"{field}_ar", f"{field}_en")
        return getattr(self, first) or getattr(self, second)

    @property
    def name(self) -> str:
        return self.tr("name")


class Agency(Bilingual):
    """A ministry, department, municipality or authority that provides services. `code`
    matches the identity Organisation code where one exists (CSPD, MODEE...)."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=AGENCY_KINDS, default="department")
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_ar = models.CharField(_("address (Arabic)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    # The logo is a generated monogram (no uploaded images: nothing to sanitise, tiny).
    logo_text = models.CharField(_("logo letters"), max_length=4, blank=True)
    logo_colour = models.CharField(
        _("logo colour"), max_length=7, default="#0b6e4f", validators=[colour_validator]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"

    @property
    def monogram(self) -> str:
        return self.logo_text or self.code.split("-")[-1][:4]


class ServiceCentre(Bilingual):
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="centres")
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    governorate = models.CharField(_("governorate"), max_length=20, choices=GOVERNORATE_CHOICES)
    address_ar = models.CharField(_("address (Arabic)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    working_days = models.JSONField(_("working days"), default=list, blank=True)
    opens_at = models.TimeField(_("opens at"), default="08:00")
    closes_at = models.TimeField(_("closes at"), default="15:00")

    class Meta:
        ordering = ["agency__code", "governorate", "name_en"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name_en

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.working_days:
            self.working_days = list(DEFAULT_WORKING_DAYS)
        super().save(*args, **kwargs)


class Category(Bilingual):
    key = models.SlugField(_("key"), max_length=60, unique=True, validators=[slug_validator])
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_en


class LifeEvent(Bilingual):
    key = models.CharField(_("key"), max_length=40, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_ar = models.CharField(_("description (Arabic)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.name_en


class Service(Bilingual):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("address (slug)"), max_length=80, unique=True, validators=[slug_validator])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="services", verbose_name=_("agency"))
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    summary_ar = models.TextField(_("summary (Arabic)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    eligibility_ar = models.TextField(_("who can apply (Arabic)"), blank=True)
    eligibility_en = models.TextField(_("who can apply (English)"), blank=True)
    documents_ar = models.JSONField(_("required documents (Arabic)"), default=list, blank=True)
    documents_en = models.JSONField(_("required documents (English)"), default=list, blank=True)
    steps_ar = models.JSONField(_("steps (Arabic)"), default=list, blank=True)
    steps_en = models.JSONField(_("steps (English)"), default=list, blank=True)
    processing_time_ar = models.CharField(_("processing time (Arabic)"), max_length=200, blank=True)
    processing_time_en = models.CharField(_("processing time (English)"), max_length=200, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    legal_basis_ar = models.TextField(_("legal basis (Arabic)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="services", verbose_name=_("categories")
    )
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="services", verbose_name=_("life events")
    )
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="related_from", verbose_name=_("related services")
    )
    online_application = models.BooleanField(_("can be applied for online here"), default=False)
    min_acr = models.CharField(
        _("assurance level to apply"), max_length=20, choices=ACR_CHOICES, default="loa-low"
    )
    external_url = models.URLField(_("agency's own page for the service"), blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    popularity = models.PositiveIntegerField(_("popularity"), default=0, help_text=_("Higher shows first."))
    sources = models.JSONField(_("sources (staff only)"), default=list, blank=True)
    staff_notes = models.TextField(_("notes for staff"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        permissions = [
            ("publish_service", "Can publish services and return them to draft"),
            ("publish_own_changes", "Can publish services they edited themselves"),
            ("export_catalogue", "Can export the catalogue"),
            ("import_catalogue", "Can import the catalogue"),
        ]
        indexes = [models.Index(fields=["status", "-popularity"])]

    def __str__(self) -> str:
        return f"{self.slug} — {self.name_en}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Fee(Bilingual):
    """One fee line. `amount_fils` None = varies / see the agency; 0 = free."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    label_ar = models.CharField(_("label (Arabic)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300)
    amount_fils = models.BigIntegerField(_("amount in fils"), null=True, blank=True)

    class Meta:
        ordering = ["service", "order", "id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fils__isnull=True) | models.Q(amount_fils__gte=0),
                name="catalog_fee_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.label_en

    @property
    def label(self) -> str:
        return self.tr("label")


class ServiceRevision(models.Model):
    """History of a service: every edit and status change, with a snapshot and what changed."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    comment = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("service revision")
        verbose_name_plural = _("service revisions")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} #{self.number} {self.action}"


class SearchDocument(models.Model):
    """The search index: one row per published service per language, holding normalised and
    stemmed tokens (space separated). SQLite mirrors it into the FTS5 table
    `catalog_search_fts`; PostgreSQL keeps a generated `tsv` column with a GIN index."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="search_documents")
    lang = models.CharField(max_length=2)
    slug = models.CharField(max_length=80)
    title = models.TextField()
    body = models.TextField()
    popularity = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "lang"], name="catalog_searchdoc_unique")]


class CatalogueState(models.Model):
    """A single row whose `version` changes with every publication: processes use it to
    refresh their cached search vocabulary."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)
