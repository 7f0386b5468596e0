"""The JSON API's shared pieces: building the NinjaAPI with one error mapping, and the
error schema every endpoint documents."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .errors import BawabaError, RateLimited

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    details: dict[str, Any] | None = None


def error_response(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(BawabaError)
    def _bawaba(request: HttpRequest, exc: BawabaError) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.as_dict())
        if isinstance(exc, RateLimited) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", [])], "message": str(e.get("msg", ""))} for e in exc.errors
        ]
        return error_response(
            api,
            request,
            422,
            {
                "code": "invalid_request",
                "message": _("The request is not valid."),
                "details": {"errors": errors},
            },
        )

    @api.exception_handler(AuthenticationError)
    def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api, request, 401, {"code": "not_authenticated", "message": _("You need to log in.")}
        )

    @api.exception_handler(Http404)
    def _404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, {"code": "not_found", "message": _("Not found.")})

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {
            400: "bad_request",
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            429: "rate_limited",
        }
        code = codes.get(exc.status_code, "error")
        message = _("The request could not be completed.")
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            # Cookie-authenticated writes need the CSRF token (header X-CSRFToken).
            code = "csrf_failed"
            message = _("The form expired or was not sent from this site. Please try again.")
        return error_response(api, request, exc.status_code, {"code": code, "message": message})

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in API", extra={"path": request.path})
        return error_response(
            api, request, 500, {"code": "server_error", "message": _("Something went wrong on our side.")}
        )
