"""Fixtures for online applications: the demo catalogue's online services (imported
through the catalogue's own import service) with their demo forms, and helpers."""

from __future__ import annotations

import io
import json

import pytest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def load_online_catalogue() -> None:
    from bawaba.applications import demo as applications_demo
    from bawaba.catalog import demo as catalog_demo
    from bawaba.catalog.services import catalogue_import

    data = json.loads(catalog_demo.DATA.read_text(encoding="utf-8"))
    services = [s for s in data["services"] if s.get("online_application")]
    for s in services:
        s["related"] = []
        s["life_events"] = []  # created by a data migration, absent after a transactional test flush
    codes = {s["agency"] for s in services}
    data["services"] = services
    data["agencies"] = [a for a in data["agencies"] if a["code"] in codes]
    catalogue_import(data=data, actor=None)
    applications_demo.load()


@pytest.fixture
def online(demo):
    load_online_catalogue()
    return demo


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


__all__ = ["JPEG", "PDF", "PNG", "io", "upload"]
