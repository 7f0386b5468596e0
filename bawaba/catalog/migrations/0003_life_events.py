"""The twelve life events are a fixed vocabulary (their keys are in addresses): seed them."""

from django.db import migrations

LIFE_EVENTS = [
    ("birth_family", "الولادة والأسرة", "Birth and family", "تسجيل المواليد ودفتر العائلة والزواج والتأمين الصحي للأسرة.", "Registering a birth, the family book, marriage and family health cover."),
    ("identity_travel", "الهوية والسفر", "Identity and travel", "البطاقة الذكية وجواز السفر والهوية الرقمية.", "Your ID card, passport and digital identity."),
    ("driving_vehicles", "القيادة والمركبات", "Driving and vehicles", "رخص القيادة وترخيص المركبات ونقل ملكيتها والمخالفات.", "Driving licences, vehicle licensing, ownership transfers and fines."),
    ("business_trade", "الأعمال والتجارة", "Business and trade", "تأسيس مؤسسة أو شركة والأسماء التجارية ورخص المهن.", "Starting a business or company, trade names and vocational licences."),
    ("tax", "الضريبة", "Tax", "إقرار ضريبة الدخل والمبيعات وبراءة الذمة والرديات.", "Income and sales tax returns, tax clearance and refunds."),
    ("work_social_security", "العمل والضمان الاجتماعي", "Work and social security", "الوظائف وتصاريح العمل واشتراكات الضمان ومنافعه.", "Jobs, work permits, social security contributions and benefits."),
    ("health", "الصحة", "Health", "التأمين الصحي المدني والفحوص الطبية.", "Civil health insurance and medical tests."),
    ("education", "التعليم", "Education", "تسجيل الطلبة والتوجيهي والقبول الجامعي ومعادلة الشهادات.", "School registration, Tawjihi, university admission and degree equivalence."),
    ("property_housing", "العقار والسكن", "Property and housing", "بيع العقارات والإرث وسندات التسجيل وضريبة المسقفات ورخص البناء.", "Property sales, inheritance, title deeds, property tax and building permits."),
    ("justice_certificates", "العدل والشهادات", "Justice and certificates", "عدم المحكومية وتصديق الوثائق والمحاكم.", "Non-conviction certificates, document certification and courts."),
    ("residency_non_jordanians", "إقامة غير الأردنيين", "Residency for non-Jordanians", "التأشيرات والإقامة وتصاريح العمل لغير الأردنيين.", "Visas, residence and work permits for non-Jordanians."),
    ("utilities_bills", "الخدمات والفواتير", "Utilities and bills", "الكهرباء والمياه ودفع الفواتير.", "Electricity, water and paying bills."),
]


def forwards(apps, schema_editor):
    LifeEvent = apps.get_model("catalog", "LifeEvent")
    for order, (key, ar, en, dar, den) in enumerate(LIFE_EVENTS):
        LifeEvent.objects.update_or_create(
            key=key,
            defaults={"name_ar": ar, "name_en": en, "description_ar": dar, "description_en": den, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
