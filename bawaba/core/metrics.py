"""Prometheus metrics. Under the production server (several worker processes) the metrics are aggregated
through PROMETHEUS_MULTIPROC_DIR, which `bawaba serve` sets."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from .auth import session_has_second_factor

REQUESTS = Counter("bawaba_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram(
    "bawaba_http_request_seconds",
    "HTTP request latency",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
AUDIT_EVENTS = Counter("bawaba_audit_events_total", "Audit events written", ["outcome"])


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unmatched"
        LATENCY.labels(view=view).observe(time.perf_counter() - start)
        REQUESTS.labels(method=request.method, status=f"{response.status_code // 100}xx").inc()
        return response


def _is_operator(request: HttpRequest) -> bool:
    token = settings.BAWABA_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_staff
        and user.has_perm("core.view_metrics")
        and session_has_second_factor(request)
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _is_operator(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        data = generate_latest(registry)
    else:
        data = generate_latest()
    return HttpResponse(data, content_type=CONTENT_TYPE_LATEST)
