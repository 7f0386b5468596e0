from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
_migrations_ok = False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers and every migration is applied."""
    global _migrations_ok
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_ok:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return JsonResponse({"status": "unavailable", "reason": "migrations_pending"}, status=503)
            _migrations_ok = True
    except DatabaseError:
        logger.exception("readiness check: database unreachable")
        return JsonResponse({"status": "unavailable", "reason": "database_unreachable"}, status=503)
    return JsonResponse({"status": "ready"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path_info.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse(
            {
                "code": "csrf_failed",
                "message": _("The form expired or was not sent from this site. Please try again."),
            },
            status=403,
        )
    return render(request, "core/csrf_failure.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse(
            {"code": "server_error", "message": _("Something went wrong on our side.")}, status=500
        )
    return render(request, "core/500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)
