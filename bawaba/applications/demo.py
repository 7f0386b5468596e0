"""Demo data: application forms for the demo catalogue's online services, the fixed
public holidays, and agency staff roles. Idempotent. Fees here are demonstration values."""

from __future__ import annotations

from typing import Any

IDENTITY_FIELDS = [
    {
        "key": "full_name",
        "kind": "text",
        "prefill": "name",
        "label_ar": "الاسم الكامل",
        "label_en": "Full name",
    },
    {
        "key": "national_number",
        "kind": "national_number",
        "prefill": "national_number",
        "label_ar": "الرقم الوطني",
        "label_en": "National number",
    },
    {
        "key": "mobile",
        "kind": "phone",
        "prefill": "phone",
        "label_ar": "رقم الهاتف المحمول",
        "label_en": "Mobile number",
    },
]

DELIVERY = {
    "key": "delivery",
    "kind": "choice",
    "label_ar": "طريقة الاستلام",
    "label_en": "How to receive it",
    "choices": [
        {"value": "pickup", "label_ar": "من مكتب الدائرة", "label_en": "Collect at the office"},
        {"value": "courier", "label_ar": "بالبريد السريع إلى عنواني", "label_en": "By courier to my address"},
    ],
}

FORMS: dict[str, dict[str, Any]] = {
    "cspd-e-certificate": {
        "sla": 2,
        "fee": 1000,
        "intro_ar": "اطلب شهادة ميلاد أو وفاة أو زواج أو طلاق إلكترونية.",
        "intro_en": "Request an electronic birth, death, marriage or divorce certificate.",
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "certificate",
                "kind": "choice",
                "label_ar": "نوع الشهادة",
                "label_en": "Certificate",
                "choices": [
                    {"value": "birth", "label_ar": "شهادة ميلاد", "label_en": "Birth certificate"},
                    {"value": "death", "label_ar": "شهادة وفاة", "label_en": "Death certificate"},
                    {"value": "marriage", "label_ar": "شهادة زواج", "label_en": "Marriage certificate"},
                    {"value": "divorce", "label_ar": "شهادة طلاق", "label_en": "Divorce certificate"},
                ],
            },
            {
                "key": "person_national_number",
                "kind": "national_number",
                "required": False,
                "label_ar": "الرقم الوطني لصاحب الشهادة",
                "label_en": "National number of the person on the certificate",
                "help_ar": "اتركه فارغاً إذا كانت الشهادة لك.",
                "help_en": "Leave empty if the certificate is yours.",
            },
            {
                "key": "copies",
                "kind": "number",
                "label_ar": "عدد النسخ",
                "label_en": "Number of copies",
                "min_value": 1,
                "max_value": 5,
            },
            DELIVERY,
        ],
    },
    "cspd-passport-renewal-online": {
        "sla": 5,
        "fee": None,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "passport_number",
                "kind": "text",
                "label_ar": "رقم جواز السفر الحالي",
                "label_en": "Current passport number",
                "regex": r"[A-Z][0-9]{6,7}",
                "regex_message_ar": "رقم الجواز حرف لاتيني كبير يليه ٦ أو ٧ أرقام، مثل R1234567.",
                "regex_message_en": "A passport number is a capital letter and 6 or 7 digits, e.g. R1234567.",
                "max_length": 8,
            },
            {
                "key": "passport_expiry",
                "kind": "date",
                "label_ar": "تاريخ انتهاء الجواز الحالي",
                "label_en": "Expiry date of the current passport",
                "date_min": "today-5y",
                "date_max": "today+1y",
            },
            {
                "key": "photo",
                "kind": "file",
                "label_ar": "صورة شخصية حديثة",
                "label_en": "Recent passport photo",
                "help_ar": "خلفية بيضاء، الوجه واضح.",
                "help_en": "White background, face clearly visible.",
                "file_types": "jpeg,png",
                "max_size_kb": 2048,
            },
            DELIVERY,
        ],
    },
    "istd-tax-clearance": {
        "sla": 3,
        "fee": None,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "tax_number",
                "kind": "text",
                "label_ar": "الرقم الضريبي",
                "label_en": "Tax number",
                "regex": r"[0-9]{6,12}",
                "regex_message_ar": "الرقم الضريبي من ٦ إلى ١٢ رقماً.",
                "regex_message_en": "A tax number has 6 to 12 digits.",
                "max_length": 12,
            },
            {
                "key": "purpose",
                "kind": "choice",
                "label_ar": "الغرض من براءة الذمة",
                "label_en": "Purpose of the clearance",
                "choices": [
                    {"value": "tender", "label_ar": "عطاء حكومي", "label_en": "Government tender"},
                    {"value": "licence", "label_ar": "ترخيص مهني", "label_en": "Business licence"},
                    {"value": "other", "label_ar": "غير ذلك", "label_en": "Other"},
                ],
            },
            {
                "key": "supporting_letter",
                "kind": "file",
                "required": False,
                "label_ar": "كتاب الجهة الطالبة",
                "label_en": "Letter from the requesting body",
                "file_types": "pdf",
                "max_size_kb": 5120,
            },
        ],
    },
    "moj-non-conviction-certificate": {
        "sla": 3,
        "fee": 5000,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "purpose",
                "kind": "choice",
                "label_ar": "الغرض",
                "label_en": "Purpose",
                "choices": [
                    {"value": "employment", "label_ar": "عمل", "label_en": "Employment"},
                    {"value": "study", "label_ar": "دراسة", "label_en": "Study"},
                    {"value": "travel", "label_ar": "سفر", "label_en": "Travel"},
                    {"value": "other", "label_ar": "غير ذلك", "label_en": "Other"},
                ],
            },
            {
                "key": "addressed_to",
                "kind": "text",
                "required": False,
                "label_ar": "الجهة الموجهة إليها الشهادة",
                "label_en": "Addressed to",
                "max_length": 200,
            },
        ],
    },
    "gam-vocational-licence-renewal": {
        "sla": 5,
        "fee": None,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "licence_number",
                "kind": "text",
                "label_ar": "رقم رخصة المهن",
                "label_en": "Licence number",
                "max_length": 20,
            },
            {
                "key": "business_name",
                "kind": "text",
                "label_ar": "الاسم التجاري",
                "label_en": "Trade name",
                "max_length": 200,
            },
            {
                "key": "area_sqm",
                "kind": "number",
                "label_ar": "مساحة المحل (م²)",
                "label_en": "Shop area (m²)",
                "min_value": 1,
                "max_value": 100000,
            },
            {
                "key": "lease",
                "kind": "file",
                "label_ar": "عقد الإيجار ساري المفعول",
                "label_en": "Valid lease contract",
                "file_types": "pdf,jpeg,png",
                "max_size_kb": 5120,
            },
        ],
    },
    "ssc-unemployment-benefit": {
        "sla": 7,
        "fee": None,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "last_employer",
                "kind": "text",
                "label_ar": "آخر جهة عمل",
                "label_en": "Last employer",
                "max_length": 200,
            },
            {
                "key": "end_date",
                "kind": "date",
                "label_ar": "تاريخ انتهاء العمل",
                "label_en": "Last day of work",
                "date_min": "today-1y",
                "date_max": "today",
            },
            {
                "key": "iban",
                "kind": "text",
                "label_ar": "رقم الحساب البنكي الدولي (IBAN)",
                "label_en": "Bank account (IBAN)",
                "regex": r"JO[0-9]{2}[A-Z]{4}[0-9A-Z]{22}",
                "regex_message_ar": "رقم IBAN الأردني ٣٠ خانة ويبدأ بـ JO.",
                "regex_message_en": "A Jordanian IBAN has 30 characters and starts with JO.",
                "max_length": 30,
            },
        ],
    },
    "naf-takaful-cash-support": {
        "sla": 10,
        "fee": None,
        "fields": [
            *IDENTITY_FIELDS,
            {
                "key": "household_size",
                "kind": "number",
                "label_ar": "عدد أفراد الأسرة",
                "label_en": "Household size",
                "min_value": 1,
                "max_value": 30,
            },
            {
                "key": "monthly_income",
                "kind": "number",
                "label_ar": "دخل الأسرة الشهري (دينار)",
                "label_en": "Household monthly income (JOD)",
                "min_value": 0,
                "max_value": 100000,
            },
            {
                "key": "governorate",
                "kind": "choice",
                "label_ar": "المحافظة",
                "label_en": "Governorate",
                "choices": [
                    {"value": "amman", "label_ar": "العاصمة", "label_en": "Amman"},
                    {"value": "irbid", "label_ar": "إربد", "label_en": "Irbid"},
                    {"value": "zarqa", "label_ar": "الزرقاء", "label_en": "Zarqa"},
                    {"value": "other", "label_ar": "محافظة أخرى", "label_en": "Another governorate"},
                ],
            },
        ],
    },
}


def form_define(slug: str, spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Create a form definition from a spec (used by the demo and tests). Idempotent."""
    from .models import FormDefinition, FormField
    from .services import form_definition_publish

    form, created = FormDefinition.objects.get_or_create(
        service_slug=slug,
        defaults={
            "sla_working_days": spec.get("sla", 5),
            "fee_fils": spec.get("fee"),
            "intro_ar": spec.get("intro_ar", ""),
            "intro_en": spec.get("intro_en", ""),
            "min_acr": spec.get("min_acr", ""),
        },
    )
    if created:
        for order, f in enumerate(spec["fields"]):
            FormField.objects.create(form=form, order=order * 10, **{"required": True, **f})
    return form_definition_publish(form_id=form.pk)


def load(stdout=None) -> None:  # type: ignore[no-untyped-def]
    from bawaba.catalog import selectors as catalog

    from .services import holidays_seed

    holidays_seed()
    made = 0
    for slug, spec in FORMS.items():
        if catalog.service_get(slug) is None:
            continue
        form_define(slug, spec)
        made += 1
    _staff()
    if stdout:
        stdout.write(f"applications: {made} online forms, holidays and case officer roles ready")


def _staff() -> None:
    """The demo officer (CSPD) processes applications; a CSPD supervisor assigns them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bawaba.identity.selectors import agency_get

    from .roles import roles_sync

    roles_sync()
    User = get_user_model()
    officer = User.objects.filter(username="officer").first()
    case_officer = Group.objects.get(name="Agency case officer")
    supervisor_group = Group.objects.get(name="Agency supervisor")
    if officer is not None:
        officer.groups.add(case_officer)
    cspd = agency_get("CSPD")
    if cspd is None:
        return
    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is None:
        from bawaba.identity.services.totp import totp_device_create

        supervisor = User.objects.create_user(
            "supervisor",
            "Bawaba-Admin-2026",
            kind="staff",
            is_staff=True,
            agency=cspd,
            name_ar="مشرفة الطلبات",
            name_en="Applications supervisor",
            assurance_level="substantial",
        )
        totp_device_create(
            user=supervisor,
            secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            confirmed=True,
            name="Demo authenticator",
        )
    supervisor.groups.add(supervisor_group)
