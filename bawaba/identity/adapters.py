"""The civil registry (Civil Status and Passports Department) behind a small interface.

`demo`: seeded fictitious records (identity/data/demo_civil_registry.json), for tests and
demonstrations. `gsb`: the real registry reached over the Government Service Bus with the
X-Road REST message protocol; it is configured with BAWABA_GSB_URL and the member
identifiers once the service bus (its own issue) is deployed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

from bawaba.core.errors import ExternalServiceError
from bawaba.core.http import outbound_client


@dataclass(frozen=True)
class CivilRecord:
    national_number: str
    date_of_birth: dt.date
    sex: str
    given_name_ar: str
    family_name_ar: str
    full_name_ar: str
    given_name_en: str
    family_name_en: str
    full_name_en: str


class CivilRegistry(Protocol):
    def lookup(self, national_number: str) -> CivilRecord | None: ...


def _record(row: dict) -> CivilRecord:
    return CivilRecord(**{**row, "date_of_birth": dt.date.fromisoformat(row["date_of_birth"])})


class DemoCivilRegistry:
    path = Path(__file__).parent / "data" / "demo_civil_registry.json"

    @lru_cache(maxsize=1)  # noqa: B019 - one instance per process, loaded once
    def _records(self) -> dict[str, CivilRecord]:
        return {r["national_number"]: _record(r) for r in json.loads(self.path.read_text(encoding="utf-8"))}

    def lookup(self, national_number: str) -> CivilRecord | None:
        return self._records().get(national_number)


class ServiceBusCivilRegistry:
    """X-Road REST: GET {gsb}/r1/{service}/persons/{national_number} with X-Road-Client."""

    def __init__(self, base_url: str, client_id: str, service_id: str) -> None:
        self.base_url = base_url
        self.client_id = client_id
        self.service_id = service_id

    def lookup(self, national_number: str) -> CivilRecord | None:
        if not self.base_url:
            raise ExternalServiceError(details={"reason": "BAWABA_GSB_URL is not configured"})
        try:
            with outbound_client(base_url=self.base_url, extra_allowed_hosts=_host(self.base_url)) as client:
                response = client.get(
                    f"/r1/{self.service_id}/persons/{national_number}",
                    headers={"X-Road-Client": self.client_id, "Accept": "application/json"},
                )
        except ExternalServiceError:
            raise
        except Exception as exc:  # network errors become one platform error
            raise ExternalServiceError(details={"reason": type(exc).__name__}) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ExternalServiceError(details={"status": response.status_code})
        try:
            return _record(response.json())
        except (KeyError, TypeError, ValueError) as exc:
            raise ExternalServiceError(details={"reason": "malformed registry answer"}) from exc


def _host(url: str) -> tuple[str, ...]:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "",)


_demo = DemoCivilRegistry()


def get_civil_registry() -> CivilRegistry:
    if settings.BAWABA_CIVIL_REGISTRY == "gsb":
        return ServiceBusCivilRegistry(
            settings.BAWABA_GSB_URL,
            getattr(settings, "BAWABA_GSB_CLIENT", "JO/GOV/MODEE/bawaba"),
            getattr(settings, "BAWABA_GSB_CIVIL_SERVICE", "JO/GOV/CSPD/civil-registry/persons-v1"),
        )
    return _demo
