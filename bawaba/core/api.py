"""The JSON API's shared pieces: building the NinjaAPI with one error mapping, the error
schema every endpoint documents, and OAuth 2.0 bearer-token authentication (RFC 6750)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from .auth import BearerCheck
from .errors import AuthenticationFailed, BawabaError, PermissionDenied, RateLimited
from .middleware import client_ip

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
        for name, value in exc.headers.items():
            response[name] = value
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


# -- bearer access tokens -------------------------------------------------------------------
# Who checks a token is wired once by the composition root (bawaba/api.py): single sign-on,
# the platform's OpenID provider, issues the tokens and says whether one is still good; an
# app's router only names the scope it needs. Until something is wired, every token is
# refused (fail closed).
# check(token, scheme="bearer"|"dpop", proof=<DPoP header or None>, method=..., url=...)
TokenCheck = Callable[..., BearerCheck]
RefusalRecord = Callable[[str, str | None], None]
_authority: dict[str, Any] = {"check": None, "refused": None}

# RFC 6750 error_description values: fixed ASCII text (the JSON body has the translated message).
_DESCRIPTIONS = {
    "invalid": "The access token is not valid.",
    "expired": "The access token expired.",
    "revoked": "The access token was revoked.",
    "no_person": "The access token does not act for a person.",
    "dpop_required": "The access token is bound to a DPoP key: use the DPoP scheme with a proof.",
    "dpop_proof": "The DPoP proof is missing or not valid for this request and access token.",
}


def bearer_authority_set(*, check: TokenCheck, refused: RefusalRecord | None = None) -> None:
    """`check(token)` says whether an access token may be used; `refused(problem, ip)` is
    told of every refused token (it counts them per address and raises RateLimited when
    the address must wait)."""
    _authority["check"] = check
    _authority["refused"] = refused


def _refusal_message(problem: str) -> str:
    if problem == "expired":
        return _("Your access token expired. Get a new one and try again.")
    if problem == "revoked":
        return _("This access token was revoked.")
    if problem == "no_person":
        return _("This access token does not act for a person.")
    if problem == "dpop_required":
        return _("This access token is bound to a key (DPoP): send it with the DPoP scheme and a proof.")
    if problem == "dpop_proof":
        return _("The DPoP proof is missing, or not valid for this request and this access token.")
    return _("This access token is not valid.")


class ScopedBearer(HttpBearer):
    """An OAuth 2.0 access token from Bawaba's OpenID provider (Authorization: Bearer),
    granted `scope`. Errors follow RFC 6750: 401 with WWW-Authenticate for a missing,
    invalid, expired or revoked token; 400 invalid_request for an empty one; 403
    insufficient_scope for a token without the scope."""

    openapi_bearerFormat = "JWT"
    openapi_description = (
        "An OAuth 2.0 access token issued by Bawaba's OpenID provider (`/oidc/token`) to a "
        "registered client, for a citizen who consented to the operation's scope. Send it as "
        "`Authorization: Bearer <token>`. See docs/api.md."
    )

    def __init__(self, scope: str, realm: str = "bawaba") -> None:
        self.scope = scope
        self.realm = realm
        super().__init__()

    def challenge(self, error: str = "", description: str = "", scheme: str = "Bearer") -> str:
        parts = [f'realm="{self.realm}"']
        if error:
            parts.append(f'error="{error}"')
        if description:
            parts.append(f'error_description="{description}"')
        parts.append(f'scope="{self.scope}"')
        return f"{scheme} " + ", ".join(parts)

    def __call__(self, request: HttpRequest) -> BearerCheck:
        scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
        scheme = scheme.lower()
        if scheme not in ("bearer", "dpop"):
            # No credentials (or another scheme): no error code (RFC 6750 section 3.1).
            raise AuthenticationFailed(
                _("An access token is needed: send it as Authorization: Bearer <token>."),
                code="not_authenticated",
                headers={"WWW-Authenticate": self.challenge()},
            )
        token = token.strip()
        if not token:
            raise BawabaError(  # 400
                _("The Authorization header has no access token."),
                code="invalid_request",
                headers={"WWW-Authenticate": self.challenge("invalid_request")},
            )
        check: TokenCheck | None = _authority["check"]
        if check is not None and len(token) <= 8000:
            result = check(
                token,
                scheme=scheme,
                proof=request.headers.get("DPoP") if scheme == "dpop" else None,
                method=request.method,
                url=settings.BASE_URL.rstrip("/") + request.path,  # the DPoP proof's htu
            )
        else:
            result = BearerCheck(problem="invalid")
        if not result.ok:
            refused: RefusalRecord | None = _authority["refused"]
            if refused is not None:
                refused(result.problem, client_ip(request))  # RateLimited when the address must wait
            raise AuthenticationFailed(
                _refusal_message(result.problem),
                code="invalid_token",
                headers={
                    "WWW-Authenticate": self.challenge(
                        "invalid_dpop_proof" if result.problem == "dpop_proof" else "invalid_token",
                        _DESCRIPTIONS.get(result.problem, _DESCRIPTIONS["invalid"]),
                        "DPoP" if scheme == "dpop" or result.problem.startswith("dpop") else "Bearer",
                    )
                },
            )
        if self.scope not in result.scopes:
            raise PermissionDenied(
                _("This access token was not granted the scope “%(scope)s”.") % {"scope": self.scope},
                code="insufficient_scope",
                headers={"WWW-Authenticate": self.challenge("insufficient_scope")},
            )
        return result

    def authenticate(self, request: HttpRequest, token: str) -> BearerCheck:  # pragma: no cover
        raise NotImplementedError  # __call__ does the whole check


# -- paginated lists ----------------------------------------------------------------------------
class Paging(Schema):
    """`page` and `per_page` query parameters of every paginated list."""

    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(20, ge=1, le=100)


def page_body(count: int, paging: Paging, results: list[Any]) -> dict[str, Any]:
    """A paginated list's answer: count, page, per_page, pages (at least 1) and results."""
    return {
        "count": count,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": max(1, -(-count // paging.per_page)),
        "results": results,
    }


def paginate(qs: Any, paging: Paging, item: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of a queryset (a page past the last one is empty), each row through `item`."""
    count = qs.count()
    start = (paging.page - 1) * paging.per_page
    rows = list(qs[start : start + paging.per_page]) if start < count else []
    return page_body(count, paging, [item(r) for r in rows])
