"""Authoring tool: builds bawaba/catalog/data/demo_catalogue.json (the demo catalogue, in
the import format) from the sourced fact base (shared/data/jordan-*.json) and our own texts.

The fact base gives the facts (names, fees, times, channels, life events, sources). The
texts citizens read (summary, description, eligibility, documents, in Arabic and English)
are written in our own words in scripts/demo_catalogue_texts.json, one entry per service
slug; the script refuses to build if a service lacks its texts, if a document list does not
match the fact base's (same number of items; an empty list stays empty: it means "not
found"), or if a text is a near-copy of the fact base's wording.

What it adds to the facts: Arabic processing times, steps written per channel, categories,
related services, service centres, agency monograms, legal bases we are sure of,
popularity and the services that can be applied for online in the demo. Sources stay in
each service's `sources` (visible to staff only); `staff_notes` carries the fact base's
confidence and caveats.

Run: .venv/bin/python scripts/build_demo_catalogue.py /path/to/shared/data"""

from __future__ import annotations

import json
import sys
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bawaba" / "catalog" / "data" / "demo_catalogue.json"
TEXTS = ROOT / "scripts" / "demo_catalogue_texts.json"
TEXT_FIELDS = (
    "summary_ar",
    "summary_en",
    "description_ar",
    "description_en",
    "eligibility_ar",
    "eligibility_en",
)
LIST_FIELDS = ("documents_ar", "documents_en")
# A text is a near-copy of the fact base's wording if their similarity (difflib ratio)
# reaches MAX_SIMILARITY, or if they share a run of MAX_SHARED_RUN characters or more.
MAX_SIMILARITY = 0.6
MAX_SHARED_RUN = 50

TIME_AR = {
    "1 day": ("يوم واحد", "One day"),
    "10–14 days": ("من 10 إلى 14 يوماً", "10 to 14 days"),
    "10–15 minutes": ("من 10 إلى 15 دقيقة", "10 to 15 minutes"),
    "13 minutes to register, 15 minutes at delivery": (
        "13 دقيقة للتسجيل و15 دقيقة عند التسليم",
        "13 minutes to register and 15 minutes to collect",
    ),
    "15 minutes": ("15 دقيقة", "15 minutes"),
    "20–30 minutes": ("من 20 إلى 30 دقيقة", "20 to 30 minutes"),
    "20–40 minutes": ("من 20 إلى 40 دقيقة", "20 to 40 minutes"),
    "20–40 minutes (legal limit 14 days)": (
        "من 20 إلى 40 دقيقة (المدة القانونية القصوى 14 يوماً)",
        "20 to 40 minutes (14 days at most by law)",
    ),
    "20–40 minutes; up to 10 days if the name needs further study": (
        "من 20 إلى 40 دقيقة، وقد تصل إلى 10 أيام إذا احتاج الاسم إلى دراسة",
        "20 to 40 minutes; up to 10 days when the name needs study",
    ),
    "30 days once documents are complete; paid between the 25th and 31st of the month": (
        "30 يوماً بعد اكتمال الوثائق، ويُصرف بين 25 و31 من الشهر",
        "30 days after the file is complete; paid between the 25th and the 31st of the month",
    ),
    "30 minutes": ("30 دقيقة", "30 minutes"),
    "30–45 minutes": ("من 30 إلى 45 دقيقة", "30 to 45 minutes"),
    "45 minutes": ("45 دقيقة", "45 minutes"),
    "9–15 minutes (excluding partner steps)": (
        "من 9 إلى 15 دقيقة (دون الإجراءات لدى الجهات الشريكة)",
        "9 to 15 minutes (not counting steps at partner bodies)",
    ),
    "9–15 minutes (excluding steps at partner bodies)": (
        "من 9 إلى 15 دقيقة (دون الإجراءات لدى الجهات الشريكة)",
        "9 to 15 minutes (not counting steps at partner bodies)",
    ),
    "About 12 days for a compliant application to clear local committees (GAM, 2015)": (
        "نحو 12 يوماً للطلب المستوفي حتى تنظر فيه اللجان المحلية",
        "About 12 days for a complete application to pass the local committees",
    ),
    "About 15 minutes (reported)": ("نحو 15 دقيقة (بحسب ما يُذكر)", "About 15 minutes (as reported)"),
    "About 15 minutes at the counter; up to two days online (non-official guide)": (
        "نحو 15 دقيقة عند الحضور، وحتى يومين عند الطلب إلكترونياً",
        "About 15 minutes in person; up to two days online",
    ),
    "About half an hour": ("نحو نصف ساعة", "About half an hour"),
    "About three weeks (one applicant's report)": (
        "نحو ثلاثة أسابيع (بحسب تجربة أحد المتقدمين)",
        "About three weeks (one applicant's experience)",
    ),
    "At least 2 months": ("شهران على الأقل", "Two months or more"),
    "Court date given after filing": (
        "يُحدَّد موعد الجلسة بعد تقديم الاعتراض",
        "A hearing date is set once the objection is filed",
    ),
    "Coverage starts the month of application; first payment due before the 15th of the next month": (
        "يبدأ الشمول من شهر تقديم الطلب، ويُدفع أول اشتراك قبل اليوم 15 من الشهر التالي",
        "Cover starts in the month you apply; the first payment is due by the 15th of the following month",
    ),
    "Deadline 30 April each year": ("آخر موعد 30 نيسان من كل عام", "Due by 30 April every year"),
    "Delivery within about 72 hours of applying": (
        "التسليم خلال نحو 72 ساعة من تقديم الطلب",
        "Delivered about 72 hours after you apply",
    ),
    "Fixed application window after results": (
        "فترة تقديم محددة بعد إعلان النتائج",
        "A set application period after the results are announced",
    ),
    "Fixed registration window each year (e.g. 9–27 March 2025)": (
        "فترة تسجيل محددة كل عام (مثلاً 9–27 آذار 2025)",
        "A set registration period each year (for example 9–27 March 2025)",
    ),
    "One working day if documents are complete": (
        "يوم عمل واحد عند اكتمال الوثائق",
        "One working day when the papers are complete",
    ),
    "Paid from the start of the month after the application": (
        "يُصرف اعتباراً من بداية الشهر التالي لتقديم الطلب",
        "Paid from the start of the month after you apply",
    ),
    "Registration windows announced yearly (KG2: May–June; grade 1 platform from mid-June)": (
        "تُعلن فترات التسجيل سنوياً (الروضة الثانية: أيار–حزيران؛ الصف الأول من منتصف حزيران)",
        "Registration periods are announced every year (KG2: May–June; grade 1 from mid-June)",
    ),
    "Renewal window: January–March": ("فترة التجديد: كانون الثاني – آذار", "Renew between January and March"),
    "Same day": ("في اليوم نفسه", "The same day"),
    "Security approvals 7–10 days, then minutes at the counter": (
        "الموافقات الأمنية من 7 إلى 10 أيام ثم دقائق عند المراجعة",
        "Security approval takes 7 to 10 days, then a few minutes at the counter",
    ),
    "Two hours": ("ساعتان", "Two hours"),
    "Two hours after payment; 14 days for residents abroad": (
        "ساعتان بعد الدفع، و14 يوماً للمقيمين في الخارج",
        "Two hours after payment; 14 days for people living abroad",
    ),
}

CATEGORIES = [
    (
        "certificates",
        "الشهادات والوثائق",
        "Certificates and documents",
        ["certificate", "document", "book", "clearance"],
    ),
    (
        "identity-documents",
        "الهويات وجوازات السفر",
        "ID cards and passports",
        ["passport", "id card", "smart id", "digital id", "personal number"],
    ),
    (
        "licences-permits",
        "الرخص والتصاريح",
        "Licences and permits",
        ["licence", "permit", "visa", "residence"],
    ),
    (
        "registrations",
        "التسجيل",
        "Registrations",
        ["registration", "register", "subscription", "application", "admission"],
    ),
    (
        "payments",
        "الدفع والضرائب",
        "Payments and taxes",
        ["payment", "pay", "tax", "bill", "refund", "violation"],
    ),
    (
        "benefits-support",
        "الدعم والمنافع",
        "Benefits and support",
        [
            "benefit",
            "allowance",
            "support",
            "advance",
            "subsidy",
            "lump sum",
            "free health",
            "electrification",
            "insurance",
        ],
    ),
    (
        "transfers-changes",
        "نقل الملكية والتعديلات",
        "Transfers and changes",
        [
            "transfer",
            "modification",
            "amendment",
            "release",
            "replacement",
            "renewal",
            "reconnection",
            "equivalence",
            "authentication",
            "certification",
        ],
    ),
]

LEGAL = {
    "CSPD": (
        "قانون الأحوال المدنية رقم 9 لسنة 2001 وتعديلاته، وقانون جوازات السفر رقم 2 لسنة 1969 وتعديلاته.",
        "Civil Status Law No. 9 of 2001 and the Passports Law No. 2 of 1969, as amended.",
    ),
    "PSD-DVLD": (
        "قانون السير رقم 49 لسنة 2008 وتعديلاته والأنظمة الصادرة بمقتضاه.",
        "Traffic Law No. 49 of 2008, as amended, and its regulations.",
    ),
    "ISTD": (
        "قانون ضريبة الدخل رقم 34 لسنة 2014 وتعديلاته، وقانون الضريبة العامة على المبيعات رقم 6 لسنة 1994 وتعديلاته.",
        "Income Tax Law No. 34 of 2014 and the General Sales Tax Law No. 6 of 1994, as amended.",
    ),
    "SSC": (
        "قانون الضمان الاجتماعي رقم 1 لسنة 2014 وتعديلاته.",
        "Social Security Law No. 1 of 2014, as amended.",
    ),
    "PSD-RBD": (
        "قانون الإقامة وشؤون الأجانب رقم 24 لسنة 1973 وتعديلاته.",
        "Residence and Foreigners' Affairs Law No. 24 of 1973, as amended.",
    ),
    "CCD": ("قانون الشركات رقم 22 لسنة 1997 وتعديلاته.", "Companies Law No. 22 of 1997, as amended."),
}

ONLINE = {
    "cspd-e-certificate": ("loa-low", 95),
    "cspd-passport-renewal-online": ("loa-substantial", 90),
    "moj-non-conviction-certificate": ("loa-substantial", 97),
    "istd-tax-clearance": ("loa-substantial", 70),
    "ssc-unemployment-benefit": ("loa-substantial", 75),
    "gam-vocational-licence-renewal": ("loa-low", 65),
    "naf-takaful-cash-support": ("loa-substantial", 72),
}
POPULAR = {
    "cspd-birth-registration": 92,
    "cspd-event-certificate": 88,
    "cspd-smart-id-first": 86,
    "cspd-passport-renewal": 93,
    "dvld-licence-renewal-private": 96,
    "dvld-vehicle-licence-renewal": 94,
    "gam-traffic-violations": 91,
    "dvld-vehicle-ownership-transfer": 80,
    "istd-income-tax-return": 85,
    "modee-sanad-digital-id": 89,
    "mohe-unified-admission": 78,
    "moe-tawjihi-registration": 79,
    "rbd-annual-residence-renewal": 76,
    "mol-work-permit": 74,
    "cbj-efawateercom": 83,
    "mit-trade-name-registration": 68,
}
COLOURS = {"ministry": "#0b5c4a", "department": "#1f4e8c", "municipality": "#8a3b12", "authority": "#5b2a86"}
CENTRES = {
    "CSPD": [
        ("amman", "مكتب أحوال عمّان الأولى", "Amman First civil status office"),
        ("irbid", "مكتب أحوال قصبة إربد", "Irbid civil status office"),
        ("zarqa", "مكتب أحوال الزرقاء", "Zarqa civil status office"),
        ("aqaba", "مكتب أحوال العقبة", "Aqaba civil status office"),
        ("karak", "مكتب أحوال الكرك", "Karak civil status office"),
    ],
    "PSD-DVLD": [
        ("amman", "مركز ترخيص شمال عمّان", "North Amman licensing centre"),
        ("irbid", "مركز ترخيص إربد", "Irbid licensing centre"),
        ("zarqa", "مركز ترخيص الزرقاء", "Zarqa licensing centre"),
        ("maan", "مركز ترخيص معان", "Ma'an licensing centre"),
    ],
    "SSC": [
        ("amman", "فرع الضمان في عمّان", "Amman social security branch"),
        ("irbid", "فرع الضمان في إربد", "Irbid social security branch"),
        ("balqa", "فرع الضمان في السلط", "Salt social security branch"),
    ],
    "ISTD": [
        ("amman", "مديرية كبار المكلفين — عمّان", "Large taxpayers directorate, Amman"),
        ("irbid", "مديرية ضريبة إربد", "Irbid tax directorate"),
    ],
    "GAM": [("amman", "مبنى أمانة عمّان الرئيسي", "Greater Amman Municipality head office")],
    "MOJ": [
        ("amman", "قصر العدل — عمّان", "Palace of Justice, Amman"),
        ("madaba", "محكمة بداية مادبا", "Madaba court of first instance"),
    ],
}


def steps(svc: dict) -> tuple[list[str], list[str]]:
    ch = set(svc["channels"])
    ar: list[str] = []
    en: list[str] = []
    if svc["id"] in ONLINE:
        ar += [
            "سجّل الدخول إلى بوابة بهويتك الرقمية (سند).",
            "اضغط «قدّم الطلب إلكترونياً» واملأ النموذج وأرفق الوثائق المطلوبة.",
            "ادفع الرسوم إلكترونياً إن وُجدت.",
            "تابع طلبك من لوحة طلباتي، وستصلك رسالة نصية عند كل تحديث.",
        ]
        en += [
            "Log in to Bawaba with your digital identity (Sanad).",
            "Choose “Apply online”, fill in the form and attach the documents asked for.",
            "Pay any fee online.",
            "Follow your application in your dashboard; a text message tells you of each update.",
        ]
        return ar, en
    if "online" in ch or "sanad_app" in ch or "mobile_app" in ch:
        ar.append("ادخل إلى الخدمة الإلكترونية للجهة المختصة أو تطبيقها، أو إلى تطبيق سند.")
        en.append("Open the agency's e-service or app, or the Sanad app.")
    if "service_centre" in ch:
        ar += [
            "جهّز الوثائق المطلوبة (الأصول والنسخ).",
            "راجع أحد مكاتب الجهة أو مراكز الخدمة الحكومية في أوقات الدوام من الأحد إلى الخميس.",
        ]
        en += [
            "Gather the documents listed (originals and copies).",
            "Visit one of the agency's offices or a government service centre, Sunday to Thursday in working hours.",
        ]
    if "embassy" in ch:
        ar.append("إن كنت خارج الأردن فراجع أقرب سفارة أو قنصلية أردنية.")
        en.append("If you live abroad, go to the nearest Jordanian embassy or consulate.")
    if "efawateercom" in ch or "bank" in ch:
        ar.append("ادفع المبلغ عبر إي فواتيركم أو البنك باستخدام رقم الفاتورة.")
        en.append("Pay through eFAWATEERcom or your bank with the bill number.")
    elif svc["fees"]:
        ar.append("ادفع الرسوم المقررة.")
        en.append("Pay the fees that apply.")
    if "jordan_post" in ch:
        ar.append("يمكن استلام الوثيقة عبر البريد الأردني.")
        en.append("You can have the document delivered by Jordan Post.")
    ar.append("احتفظ بالإيصال أو رقم الطلب لمتابعة المعاملة.")
    en.append("Keep the receipt or request number to follow up.")
    return ar, en


def categorise(name_en: str) -> list[str]:
    low = name_en.lower()
    found = [key for key, _a, _e, words in CATEGORIES if any(w in low for w in words)]
    return found[:2] or ["registrations"]


def near_copy(ours: str, fact: str) -> str:
    """Why `ours` is a near-copy of `fact`, or "" if it is not."""
    matcher = SequenceMatcher(None, ours, fact, autojunk=False)
    ratio = matcher.ratio()
    if ratio >= MAX_SIMILARITY:
        return f"similarity {ratio:.2f}"
    run = matcher.find_longest_match(0, len(ours), 0, len(fact))
    if run.size >= MAX_SHARED_RUN:
        return f"shares {run.size} characters: {ours[run.a : run.a + run.size]!r}"
    return ""


def load_texts(services: list[dict], path: Path = TEXTS) -> dict[str, dict]:
    """Our own texts per service slug, checked against the fact base; exits on any problem."""
    texts = json.loads(path.read_text(encoding="utf-8"))["services"]
    problems = []
    ids = [s["id"] for s in services]
    problems += [f"{slug}: no texts of our own" for slug in ids if slug not in texts]
    problems += [f"{slug}: texts for a service not in the fact base" for slug in texts if slug not in ids]
    for s in services:
        t = texts.get(s["id"])
        if t is None:
            continue
        fields = set(TEXT_FIELDS + LIST_FIELDS)
        if set(t) != fields:
            problems.append(f"{s['id']}: fields must be exactly {sorted(fields)}")
            continue
        problems += [f"{s['id']}.{f}: empty" for f in TEXT_FIELDS if not str(t[f]).strip()]
        for lang in ("ar", "en"):
            ours = t[f"documents_{lang}"]
            if len(ours) != len(s[f"documents_{lang}"]) or not all(str(d).strip() for d in ours):
                problems.append(
                    f"{s['id']}.documents_{lang}: {len(ours)} items, the fact base lists"
                    f" {len(s[f'documents_{lang}'])} (an empty list stays empty)"
                )
            facts = {
                "summary": s[f"summary_{lang}"],
                "description": s[f"summary_{lang}"],
                "eligibility": s["eligibility"][lang],
            }
            for field, fact in facts.items():
                if why := near_copy(t[f"{field}_{lang}"], fact):
                    problems.append(f"{s['id']}.{field}_{lang}: a near-copy of the fact base ({why})")
    if problems:
        sys.exit("demo catalogue texts are not ready:\n  " + "\n  ".join(problems))
    return texts


def main(data_dir: Path) -> None:
    agencies = json.loads((data_dir / "jordan-agencies.json").read_text())
    services = json.loads((data_dir / "jordan-services.json").read_text())
    out_agencies = []
    for a in agencies:
        code = a["code"]
        out_agencies.append(
            {
                "code": code,
                "kind": a["kind"],
                "parent": code.split("-")[0] if "-" in code else None,
                "name_ar": a["name_ar"],
                "name_en": a["name_en"],
                "description_ar": "",
                "description_en": "",
                "website": a["website"] or "",
                "email": "",
                "phone": "",
                "address_ar": "",
                "address_en": "",
                "logo_text": code.split("-")[-1][:4],
                "logo_colour": COLOURS[a["kind"]],
                "centres": [
                    {
                        "name_ar": ar,
                        "name_en": en,
                        "governorate": gov,
                        "address_ar": "",
                        "address_en": "",
                        "phone": "",
                        "working_days": ["sun", "mon", "tue", "wed", "thu"],
                        "opens_at": "08:00",
                        "closes_at": "15:00",
                    }
                    for gov, ar, en in CENTRES.get(code, [])
                ],
            }
        )
    # Parents first so the import can link them.
    out_agencies.sort(key=lambda a: (a["parent"] is not None, a["code"]))
    texts = load_texts(services)
    by_id = {s["id"]: s for s in services}
    out = []
    for s in services:
        ours = texts[s["id"]]
        ar_steps, en_steps = steps(s)
        t = TIME_AR.get(s["processing_time"] or "", ("", ""))
        legal = LEGAL.get(s["agency"], ("", ""))
        siblings = [
            o["id"]
            for o in services
            if o["id"] != s["id"]
            and o["agency"] == s["agency"]
            and set(o["life_events"]) & set(s["life_events"])
        ][:3]
        acr, pop = ONLINE.get(
            s["id"], ("loa-low", POPULAR.get(s["id"], 40 if s["confidence"] == "confirmed" else 30))
        )
        notes = f"Fact base confidence: {s['confidence']}."
        if s.get("notes"):
            notes += " " + s["notes"]
        out.append(
            {
                "slug": s["id"],
                "status": "published",
                "agency": s["agency"],
                "name_ar": s["name_ar"],
                "name_en": s["name_en"],
                "summary_ar": ours["summary_ar"],
                "summary_en": ours["summary_en"],
                "description_ar": ours["description_ar"],
                "description_en": ours["description_en"],
                "eligibility_ar": ours["eligibility_ar"],
                "eligibility_en": ours["eligibility_en"],
                "documents_ar": ours["documents_ar"],
                "documents_en": ours["documents_en"],
                "steps_ar": ar_steps,
                "steps_en": en_steps,
                "processing_time_ar": t[0],
                "processing_time_en": t[1],
                "channels": s["channels"],
                "legal_basis_ar": legal[0],
                "legal_basis_en": legal[1],
                "fees": s["fees"],
                "categories": categorise(s["name_en"]),
                "life_events": s["life_events"],
                "related": [r for r in siblings if r in by_id],
                "online_application": s["id"] in ONLINE,
                "min_acr": acr,
                "popularity": pop,
                "last_reviewed": "2026-11-26",
                "external_url": "",
                "sources": s["sources"],
                "staff_notes": notes,
            }
        )
    data = {
        "format": "bawaba-catalogue",
        "version": 1,
        "categories": [
            {"key": k, "name_ar": ar, "name_en": en, "order": i}
            for i, (k, ar, en, _w) in enumerate(CATEGORIES)
        ],
        "agencies": out_agencies,
        "services": out,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(len(out_agencies), "agencies,", len(out), "services →", OUT)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
