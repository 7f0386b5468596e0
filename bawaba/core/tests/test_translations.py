"""Arabic is the first language: every message is translated, nothing is fuzzy, the compiled
catalogues are current, and extracting messages from the code finds nothing new."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bawaba.core.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
APPS = sorted(p.parent for p in (ROOT / "bawaba").glob("*/apps.py"))
BAWABA = str(Path(sys.executable).parent / "bawaba")


def catalogue(app: Path) -> Path:
    return app / "locale" / "ar" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_every_message_is_translated(app: Path) -> None:
    po = catalogue(app)
    assert po.exists(), f"{po} is missing: run `make messages` and translate"
    untranslated = [e.msgid for e in read_po(po) if not e.translated]
    assert not untranslated, f"untranslated or fuzzy in {po}: {untranslated[:10]}"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_compiled_catalogue_is_current(app: Path, tmp_path: Path) -> None:
    po = catalogue(app)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)  # noqa: S603,S607
    assert fresh.read_bytes() == mo.read_bytes(), f"{mo} is stale: run `make messages`"


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_no_message_is_missing_from_the_catalogue(app: Path, tmp_path: Path) -> None:
    """Extract the messages from a copy of the app and compare with the committed catalogue."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("tests", "migrations", "__pycache__", "locale"))
    (copy / "locale").mkdir()
    subprocess.run(  # noqa: S603
        [BAWABA, "makemessages", "-l", "ar", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "bawaba.settings.test",
            "HOME": str(tmp_path),
        },
    )
    extracted = {e.key for e in read_po(catalogue(copy))}
    committed = {e.key for e in read_po(catalogue(app))}
    missing = sorted(m for _c, m in extracted - committed)
    assert not missing, (
        f"messages not in {catalogue(app)}: {missing[:10]} — run `make messages` and translate"
    )
