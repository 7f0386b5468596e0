"""Fixed vocabularies of the catalogue: life events, governorates, channels, assurance levels.

Keys are stable (they appear in URLs, exports and other agencies' links); labels are
translated at the edge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The 12 life events of the reference data (shared/data/README.md), in display order.
LIFE_EVENTS: list[tuple[str, str, str]] = [
    ("birth_family", "الولادة والأسرة", "Birth and family"),
    ("identity_travel", "الهوية والسفر", "Identity and travel"),
    ("driving_vehicles", "القيادة والمركبات", "Driving and vehicles"),
    ("business_trade", "الأعمال والتجارة", "Business and trade"),
    ("tax", "الضريبة", "Tax"),
    ("work_social_security", "العمل والضمان الاجتماعي", "Work and social security"),
    ("health", "الصحة", "Health"),
    ("education", "التعليم", "Education"),
    ("property_housing", "العقار والسكن", "Property and housing"),
    ("justice_certificates", "العدل والشهادات", "Justice and certificates"),
    ("residency_non_jordanians", "إقامة غير الأردنيين", "Residency for non-Jordanians"),
    ("utilities_bills", "الخدمات والفواتير", "Utilities and bills"),
]
LIFE_EVENT_KEYS = [k for k, _ar, _en in LIFE_EVENTS]

GOVERNORATES: list[tuple[str, str, str]] = [
    ("amman", "العاصمة", "Amman"),
    ("irbid", "إربد", "Irbid"),
    ("zarqa", "الزرقاء", "Zarqa"),
    ("balqa", "البلقاء", "Balqa"),
    ("madaba", "مادبا", "Madaba"),
    ("mafraq", "المفرق", "Mafraq"),
    ("jerash", "جرش", "Jerash"),
    ("ajloun", "عجلون", "Ajloun"),
    ("karak", "الكرك", "Karak"),
    ("tafilah", "الطفيلة", "Tafilah"),
    ("maan", "معان", "Ma'an"),
    ("aqaba", "العقبة", "Aqaba"),
]
GOVERNORATE_CHOICES = [(k, en) for k, _ar, en in GOVERNORATES]
GOVERNORATE_AR = {k: ar for k, ar, _en in GOVERNORATES}
GOVERNORATE_EN = {k: en for k, _ar, en in GOVERNORATES}

# How a service is reached. Order is display order.
CHANNELS: dict[str, object] = {
    "online": _("Online"),
    "sanad_app": _("Sanad app"),
    "mobile_app": _("Agency mobile app"),
    "service_centre": _("Service centre"),
    "sms_94444": _("SMS 94444"),
    "call_centre": _("Contact centre 06 500 8080"),
    "embassy": _("Jordanian embassies and consulates"),
    "efawateercom": _("eFAWATEERcom payment"),
    "jordan_post": _("Jordan Post"),
    "bank": _("Banks"),
}
CHANNEL_KEYS = list(CHANNELS)

AGENCY_KINDS = [
    ("ministry", _("Ministry")),
    ("department", _("Department")),
    ("municipality", _("Municipality")),
    ("authority", _("Authority")),
]

# Assurance level needed to apply online (Sanad levels, as in identity).
ACR_CHOICES = [
    ("loa-low", _("Low (password)")),
    ("loa-substantial", _("Substantial (two factors)")),
    ("loa-high", _("High (in-person verified, two factors)")),
]

WEEKDAYS = [
    ("sun", _("Sunday")),
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
]
DEFAULT_WORKING_DAYS = ["sun", "mon", "tue", "wed", "thu"]
