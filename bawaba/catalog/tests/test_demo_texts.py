"""The demo catalogue's texts are our own: written in scripts/demo_catalogue_texts.json (from
the team's fact base, which CI does not have) and built into demo_catalogue.json by
scripts/build_demo_catalogue.py, which refuses to build without them or with near-copies."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEXTS_FILE = ROOT / "scripts" / "demo_catalogue_texts.json"
CATALOGUE_FILE = ROOT / "bawaba" / "catalog" / "data" / "demo_catalogue.json"
TEXT_FIELDS = ("summary", "description", "eligibility")
LANGS = ("ar", "en")


def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_demo_catalogue", ROOT / "scripts" / "build_demo_catalogue.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TEXTS = json.loads(TEXTS_FILE.read_text(encoding="utf-8"))["services"]
SERVICES = {s["slug"]: s for s in json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["services"]}


def test_texts_cover_exactly_the_demo_services():
    assert len(SERVICES) == 85
    assert set(TEXTS) == set(SERVICES)


@pytest.mark.parametrize("slug", sorted(SERVICES))
def test_catalogue_carries_our_texts(slug):
    """demo_catalogue.json was rebuilt after the texts last changed."""
    service, ours = SERVICES[slug], TEXTS[slug]
    for lang in LANGS:
        for field in (*TEXT_FIELDS, "documents"):
            assert service[f"{field}_{lang}"] == ours[f"{field}_{lang}"], f"{slug}.{field}_{lang}"


@pytest.mark.parametrize("slug", sorted(SERVICES))
def test_texts_read_as_a_service_page_needs(slug):
    ours = TEXTS[slug]
    for lang in LANGS:
        summary, description = ours[f"summary_{lang}"], ours[f"description_{lang}"]
        assert all(ours[f"{field}_{lang}"].strip() for field in TEXT_FIELDS)
        # One sentence that ends, then a description that says more than the summary.
        assert summary.endswith(".") and not re.search(r"[.!?؟]\s", summary), summary
        assert not description.startswith(summary.rstrip(".")), slug
        assert len(description) > len(summary)
    # The same documents, in the same order, in both languages.
    assert len(ours["documents_ar"]) == len(ours["documents_en"])


def test_arabic_texts_are_arabic_and_english_texts_are_english():
    arabic = re.compile(r"[\u0600-\u06ff]")
    for slug, ours in TEXTS.items():
        for field in (*TEXT_FIELDS, "documents"):
            ar, en = ours[f"{field}_ar"], ours[f"{field}_en"]
            ar_items, en_items = (ar, en) if field == "documents" else ([ar], [en])
            assert all(arabic.search(item) for item in ar_items), f"{slug}.{field}_ar"
            assert not any(arabic.search(item) for item in en_items), f"{slug}.{field}_en"


def test_empty_document_list_tells_the_citizen_to_check(client, catalogue):
    slug = next(s for s, t in TEXTS.items() if not t["documents_en"])
    html = client.get(f"/en/services/{slug}/").content.decode()
    assert "The agency has not published a list of documents. Check with it before you go." in html
    assert TEXTS[slug]["summary_en"].replace("'", "&#x27;") in html


# The build script's guard, on a two-service fact base of our own making.
FACTS = [
    {
        "id": "x-one",
        "summary_ar": "يصدر هذا المكتب شهادة رسمية لكل من يطلبها من المواطنين المقيمين في المملكة.",
        "summary_en": "This office issues an official certificate to every citizen living in the kingdom who asks.",
        "eligibility": {"ar": "المواطنون المقيمون في المملكة.", "en": "Citizens living in the kingdom."},
        "documents_ar": ["البطاقة الشخصية"],
        "documents_en": ["ID card"],
    },
    {
        "id": "x-two",
        "summary_ar": "تسجيل الطلب لدى الدائرة المختصة وفق التعليمات النافذة.",
        "summary_en": "Registers the request with the competent department under the instructions in force.",
        "eligibility": {"ar": "أي شخص.", "en": "Anyone."},
        "documents_ar": [],
        "documents_en": [],
    },
]
OURS = {
    "x-one": {
        "summary_ar": "احصل على شهادتك.",
        "summary_en": "Get your certificate.",
        "description_ar": "تذهب إلى المكتب ومعك بطاقتك، وتستلم الشهادة.",
        "description_en": "Go to the office with your card and collect it.",
        "eligibility_ar": "لمن يحمل الجنسية ويعيش هنا.",
        "eligibility_en": "You must be a citizen and live here.",
        "documents_ar": ["بطاقتك الشخصية"],
        "documents_en": ["Your ID card"],
    },
    "x-two": {
        "summary_ar": "سجّل طلبك.",
        "summary_en": "Register your request.",
        "description_ar": "تسجّل الطلب ثم تتابعه.",
        "description_en": "Register it, then follow it up.",
        "eligibility_ar": "متاحة للجميع دون شروط.",
        "eligibility_en": "Open to all, no conditions.",
        "documents_ar": [],
        "documents_en": [],
    },
}


def _load(tmp_path, texts):
    path = tmp_path / "texts.json"
    path.write_text(json.dumps({"services": texts}, ensure_ascii=False), encoding="utf-8")
    return _build_module().load_texts(FACTS, path)


def test_build_accepts_texts_of_our_own(tmp_path):
    assert _load(tmp_path, OURS) == OURS


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda t: t.pop("x-two"), "x-two: no texts of our own"),
        (lambda t: t.update({"x-three": t["x-two"]}), "x-three: texts for a service not in the fact base"),
        (lambda t: t["x-one"].pop("eligibility_en"), "x-one: fields must be exactly"),
        (lambda t: t["x-one"].update(summary_ar=" "), "x-one.summary_ar: empty"),
        # An empty list means "not found": it must stay empty, and no item may be dropped.
        (lambda t: t["x-two"].update(documents_en=["Any ID"]), "x-two.documents_en: 1 items"),
        (lambda t: t["x-one"].update(documents_ar=[]), "x-one.documents_ar: 0 items"),
        (
            lambda t: t["x-one"].update(description_en=FACTS[0]["summary_en"]),
            "x-one.description_en: a near-copy of the fact base (similarity 1.00)",
        ),
        (
            lambda t: t["x-one"].update(eligibility_ar="يشمل ذلك المواطنين المقيمين في المملكة."),
            "x-one.eligibility_ar: a near-copy",
        ),
        (
            # A copied sentence inside longer text is caught by the shared run.
            lambda t: t["x-one"].update(
                description_en="Before anything else: "
                + FACTS[0]["summary_en"]
                + " Bring your card, wait for your name to be called and keep the receipt you are given."
                + " Opening hours differ between branches, so look them up, and allow for queues on Sundays."
            ),
            "x-one.description_en: a near-copy of the fact base (shares",
        ),
    ],
)
def test_build_refuses_missing_or_copied_texts(tmp_path, change, message):
    texts = json.loads(json.dumps(OURS))
    change(texts)
    with pytest.raises(SystemExit) as exc:
        _load(tmp_path, texts)
    assert message in str(exc.value)
