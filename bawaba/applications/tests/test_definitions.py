"""Form definitions: validated when staff save them; answers checked against a snapshot."""

from __future__ import annotations

import pytest
from django.utils import translation

from bawaba.applications.definitions import answers_clean, definition_check, resolve_date, sniff_type
from bawaba.applications.tests.conftest import JPEG, PDF, PNG, upload
from bawaba.core.errors import ValidationError


def field(**kw):
    base = {"key": "f", "kind": "text", "label_ar": "حقل", "label_en": "Field", "required": True}
    return {**base, **kw}


def test_valid_definition_has_no_problems():
    assert (
        definition_check(
            [
                field(),
                field(key="g", kind="choice", choices=[{"value": "a", "label_ar": "أ", "label_en": "A"}]),
            ]
        )
        == {}
    )


@pytest.mark.parametrize(
    "bad",
    [
        field(regex="(unclosed"),
        field(kind="choice", choices=[]),
        field(kind="choice", choices=[{"value": "a", "label_ar": "أ"}]),
        field(
            kind="choice",
            choices=[
                {"value": "a", "label_ar": "أ", "label_en": "A"},
                {"value": "a", "label_ar": "ب", "label_en": "B"},
            ],
        ),
        field(key="Bad Key"),
        field(kind="sql"),
        field(label_en=""),
        field(min_length=10, max_length=2),
        field(kind="number", min_value="5", max_value="1"),
        field(kind="date", date_min="yesterday"),
        field(kind="file", file_types=["exe"]),
        field(kind="file", max_size_kb=999999),
        field(prefill="national_number"),
        field(prefill="password"),
        field(max_length=99999),
    ],
)
def test_bad_definitions_are_refused(bad):
    assert definition_check([bad])


def test_duplicate_keys_and_empty_form():
    assert definition_check([field(), field()])
    assert definition_check([])


def test_publish_refuses_a_broken_definition_and_keeps_the_version(online):
    from bawaba.applications.models import FormDefinition, FormField
    from bawaba.applications.services import form_definition_publish

    form = FormDefinition.objects.get(service_slug="moj-non-conviction-certificate")
    FormField.objects.create(
        form=form, order=100, key="oops", kind="text", label_ar="x", label_en="x", regex="["
    )
    with pytest.raises(ValidationError) as exc:
        form_definition_publish(form_id=form.pk)
    assert "oops" in exc.value.details
    form.refresh_from_db()
    assert form.version == 1 and "oops" not in [f["key"] for f in form.snapshot]


def test_relative_dates():
    import datetime as dt

    today = dt.date(2024, 2, 29)
    assert resolve_date("today-18y", today) == dt.date(2006, 2, 28)
    assert resolve_date("today+30d", today) == dt.date(2024, 3, 30)
    assert resolve_date("", today) is None


def test_magic_bytes():
    assert sniff_type(PDF) == "pdf" and sniff_type(PNG) == "png" and sniff_type(JPEG) == "jpeg"
    assert sniff_type(b"<html>") is None


def test_answers_are_checked_and_messages_translated():
    fields = [
        field(key="n", kind="number", min_value="1", max_value="5"),
        field(key="d", kind="date", date_max="2020-01-01"),
        field(key="p", kind="phone"),
        field(key="nn", kind="national_number"),
        field(key="t", regex="[A-Z]{3}", regex_message_en="Three capitals", regex_message_ar="ثلاثة أحرف"),
        field(key="up", kind="file", file_types=["pdf"], max_size_kb=1),
    ]
    posted = {"n": "9", "d": "2021-05-05", "p": "12", "nn": "123", "t": "abc"}
    with translation.override("en"):
        out = answers_clean(fields, posted, {"up": upload("a.pdf", PDF + b"x" * 2000)}, identity={})
    assert set(out.errors) == {"n", "d", "p", "nn", "t", "up"}
    assert out.errors["t"] == "Three capitals"
    with translation.override("ar"):
        out = answers_clean(fields, posted, {}, identity={})
    assert out.errors["t"] == "ثلاثة أحرف"
    ok = answers_clean(
        fields,
        {"n": "٣", "d": "2019-01-01", "p": "0791234567", "nn": "9861001234", "t": "ABC"},
        {"up": upload("a.pdf", PDF)},
        identity={},
    )
    assert ok.ok, ok.errors
    assert ok.values["n"] == "3" and ok.values["p"] == "+962791234567"


def test_control_characters_and_huge_inputs():
    out = answers_clean([field(max_length=10)], {"f": "a\x00b" + "c" * 50000}, {}, identity={})
    assert "f" in out.errors
    out = answers_clean([field(max_length=10)], {"f": "a\x00b"}, {}, identity={})
    assert out.values["f"] == "ab"


def test_working_day_target_skips_weekend_and_holidays(online):
    import datetime as dt

    from bawaba.applications.selectors import sla_due_date

    # Thursday 21 May 2026 + 3 working days: Sun 24, Mon 25 is Independence Day, Tue 26, Wed 27.
    assert sla_due_date(dt.date(2026, 5, 21), 3) == dt.date(2026, 5, 27)
