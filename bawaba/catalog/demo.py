"""Demo catalogue: 85 real Jordanian government services from 27 agencies (data file built
from the sourced fact base's facts and our own texts; see docs/catalogue.md). Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "demo_catalogue.json"


def load(stdout=None) -> None:  # type: ignore[no-untyped-def]
    from .constants import LIFE_EVENTS
    from .models import LifeEvent, Service
    from .services import catalogue_import

    # Normally seeded by migration 0003; re-created if a test flush removed them.
    for order, (key, ar, en) in enumerate(LIFE_EVENTS):
        LifeEvent.objects.get_or_create(key=key, defaults={"name_ar": ar, "name_en": en, "order": order})

    data = json.loads(DATA.read_text(encoding="utf-8"))
    slugs = [s["slug"] for s in data["services"]]
    if Service.objects.filter(slug__in=slugs).count() == len(slugs):
        if stdout:
            stdout.write("catalogue: demo services already present")
        return
    counts = catalogue_import(data=data, actor=None)
    if stdout:
        stdout.write(f"catalogue: {counts['services']} services from {counts['agencies']} agencies loaded")
