from __future__ import annotations

import datetime as dt

from django.db import transaction

from ..models import Holiday

# Fixed-date public holidays of Jordan (see /work/shared/data/README.md). The Islamic
# holidays follow moon sightings: staff enter them each year in the back office.
FIXED = [
    ((1, 1), "رأس السنة الميلادية", "New Year's Day"),
    ((5, 1), "عيد العمال", "Labour Day"),
    ((5, 25), "عيد الاستقلال", "Independence Day"),
    ((12, 25), "عيد الميلاد المجيد", "Christmas Day"),
]


@transaction.atomic
def holidays_seed() -> int:
    """Create the recurring fixed-date holidays if missing. Idempotent."""
    made = 0
    for (month, day), ar, en in FIXED:
        _obj, created = Holiday.objects.get_or_create(
            date=dt.date(2000, month, day), defaults={"recurring": True, "name_ar": ar, "name_en": en}
        )
        made += int(created)
    return made
