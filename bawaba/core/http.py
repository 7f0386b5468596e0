"""The one outbound HTTP client: timeouts always, and only hosts on the allow-list
(BAWABA_OUTBOUND_HOSTS plus hosts a caller's configuration names explicitly)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from django.conf import settings

from .errors import ExternalServiceError

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


def outbound_client(*, base_url: str, extra_allowed_hosts: tuple[str, ...] = (), **kwargs) -> httpx.Client:  # type: ignore[no-untyped-def]
    host = urlsplit(base_url).hostname or ""
    allowed = set(settings.BAWABA_OUTBOUND_HOSTS) | set(extra_allowed_hosts)
    if host not in allowed:
        raise ExternalServiceError(details={"reason": f"host {host!r} is not on the outbound allow-list"})
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    return httpx.Client(base_url=base_url, follow_redirects=False, **kwargs)
