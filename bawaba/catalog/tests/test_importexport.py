"""Import and export: JSON and CSV round trips, all-or-nothing with located errors."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from bawaba.catalog.models import Service
from bawaba.catalog.services import catalogue_export, catalogue_import_file
from bawaba.core.errors import ValidationError


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_import_errors_are_translated(catalogue):
    from django.utils import translation

    with translation.override("ar"), pytest.raises(ValidationError) as exc:
        catalogue_import_file(content=b"{not json")
    assert "غير صالح" in str(exc.value.message)


def _normalised(text):
    data = json.loads(text)
    data.pop("exported_at")
    return data


def test_json_round_trip_is_lossless(catalogue):
    first = catalogue_export(fmt="json")
    data = json.loads(first)
    assert len(data["services"]) == 85 and len(data["agencies"]) == 28 and len(data["life_events"]) == 12
    catalogue_import_file(content=first.encode(), filename="x.json")
    assert _normalised(catalogue_export(fmt="json")) == _normalised(first)


def test_csv_round_trip_is_lossless(catalogue):
    first = catalogue_export(fmt="csv")
    rows = list(csv.DictReader(io.StringIO(first)))
    assert len(rows) == 85
    catalogue_import_file(content=first.encode(), filename="services.csv")
    assert catalogue_export(fmt="csv") == first


def test_csv_errors_name_rows_and_change_nothing(catalogue):
    text = catalogue_export(fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["name_en"] = "Changed"
    rows[2]["agency"] = "NOPE"
    rows[4]["fees"] = '[{"label_ar": "x", "label_en": "x", "amount_fils": -5}]'
    rows[5]["channels"] = "online pigeon"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(ValidationError) as exc:
        catalogue_import_file(content=buf.getvalue().encode(), filename="bad.csv")
    errors = exc.value.details["errors"]
    assert any(e.startswith("row 4:") and "NOPE" in e for e in errors)
    assert any(e.startswith("row 6.fees[0]:") and "amount_fils" in e for e in errors)
    assert any(e.startswith("row 7:") and "pigeon" in e for e in errors)
    assert not Service.objects.filter(name_en="Changed").exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\xff\xfe\x00", "UTF-8"),
        (b"{not json", "not valid"),
        (b'{"format": "other"}', "not a Bawaba catalogue"),
        (b"a,b\n1,2\n", "lacks columns"),
    ],
)
def test_bad_files_are_refused_clearly(catalogue, content, message):
    with pytest.raises(ValidationError) as exc:
        catalogue_import_file(content=content)
    assert message in str(exc.value.message)


def test_script_in_imported_text_is_escaped_on_the_page(catalogue, client):
    data = json.loads(catalogue_export(fmt="json"))
    svc = next(s for s in data["services"] if s["slug"] == "cspd-passport-first")
    svc["summary_en"] = '<script>alert("x")</script> Apply in person.'
    svc["documents_en"][0] = "<img src=x onerror=alert(1)>"
    catalogue_import_file(content=json.dumps(data).encode(), filename="x.json")
    html = client.get("/en/services/cspd-passport-first/").content.decode()
    assert '<script>alert("x")</script>' not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_commands_export_and_import(catalogue, tmp_path):
    out = tmp_path / "cat.json"
    call_command("catalog_export", "--format", "json", "--output", str(out))
    call_command("catalog_import", str(out))
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"format": "bawaba-catalogue", "services": [{"slug": "Bad Slug", "agency": "X"}]})
    )
    with pytest.raises(CommandError) as exc:
        call_command("catalog_import", str(bad))
    assert "services[0]" in str(exc.value)


def test_admin_export_and_import_pages(catalogue, logged_in_admin):
    r = logged_in_admin.get("/en/admin/catalog/service/export/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("s.csv", r.content, content_type="text/csv")
    r = logged_in_admin.post("/en/admin/catalog/service/import/", {"file": upload})
    assert r.status_code == 302
    upload = SimpleUploadedFile("s.json", b"{broken", content_type="application/json")
    r = logged_in_admin.post("/en/admin/catalog/service/import/", {"file": upload})
    assert r.status_code == 200 and "not valid" in r.content.decode()


def test_anonymous_cannot_reach_admin_export(catalogue, client):
    r = client.get("/en/admin/catalog/service/export/")
    assert r.status_code == 302 and "/login/" in r["Location"]
