"""One exception hierarchy for the whole platform, mapped once to HTTP/JSON (core.api)
and to translated messages. Services raise these; no library exception escapes an API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class BawabaError(Exception):
    code = "error"
    status = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        self.details = details or {}
        # HTTP headers the API adds to the error response (e.g. WWW-Authenticate).
        self.headers = headers or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class ValidationError(BawabaError):
    code = "invalid"
    status = 422
    default_message = _("Some of the information is not valid.")


class AuthenticationFailed(BawabaError):
    code = "authentication_failed"
    status = 401
    default_message = _("Authentication failed.")


class PermissionDenied(BawabaError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do this.")


class Gone(BawabaError):
    code = "gone"
    status = 410
    default_message = _("This is no longer available.")


class NotFound(BawabaError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(BawabaError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class RateLimited(BawabaError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please wait and try again.")

    def __init__(self, message: Any = None, *, retry_after: int = 0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        if retry_after:
            self.details.setdefault("retry_after", retry_after)


class ExternalServiceError(BawabaError):
    code = "external_service_unavailable"
    status = 503
    default_message = _("A service we depend on is not answering. Please try again later.")
