"""Protocol endpoints (outside the language prefix) and the pages they show."""

from __future__ import annotations

import json
import time
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jws
from joserfc.errors import JoseError

from bawaba.core.errors import RateLimited
from bawaba.core.middleware import client_ip
from bawaba.identity import selectors as identity_selectors
from bawaba.identity import services as identity_services

from . import dpop, keys, selectors, services, tokens
from .claims import (
    ACR_VALUES,
    CLAIMS_SUPPORTED,
    SCOPES,
    acr_satisfied,
    amr_out,
    identity_can_reach,
    required_acr,
    session_acr,
    subject_for,
)
from .clients import USER_SCOPES, OidcClient, client_get, web_origin, web_origins_registered
from .server import CONFIDENTIAL_AUTH_METHODS, authorization_request, server

REAUTH_PARAM = "bw_reauth"
REAUTH_SALT = "bawaba.sso.reauth"

# -- discovery ------------------------------------------------------------------------------
_discovery_cache: dict[str, bytes] = {}


def discovery_document() -> dict[str, Any]:
    iss = tokens.issuer()
    return {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/oidc/authorize",
        "token_endpoint": f"{iss}/oidc/token",
        "userinfo_endpoint": f"{iss}/oidc/userinfo",
        "jwks_uri": f"{iss}/oidc/jwks",
        "revocation_endpoint": f"{iss}/oidc/revoke",
        "introspection_endpoint": f"{iss}/oidc/introspect",
        "pushed_authorization_request_endpoint": f"{iss}/oidc/par",
        "end_session_endpoint": f"{iss}/oidc/logout",
        "scopes_supported": list(USER_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "userinfo_signing_alg_values_supported": [],
        "token_endpoint_auth_methods_supported": [*CONFIDENTIAL_AUTH_METHODS, "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256", "PS256", "EdDSA"],
        "revocation_endpoint_auth_methods_supported": [*CONFIDENTIAL_AUTH_METHODS, "none"],
        "introspection_endpoint_auth_methods_supported": CONFIDENTIAL_AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "claim_types_supported": ["normal"],
        "claims_locales_supported": ["ar", "en"],
        "ui_locales_supported": ["ar", "en"],
        "acr_values_supported": list(ACR_VALUES),
        "prompt_values_supported": ["none", "login", "consent"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_pushed_authorization_requests": False,
        "authorization_response_iss_parameter_supported": True,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "claims_parameter_supported": False,
        "dpop_signing_alg_values_supported": list(dpop.ALGORITHMS),
    }


def _cached_json(body: bytes, max_age: int) -> HttpResponse:
    resp = HttpResponse(body, content_type="application/json")
    resp["Cache-Control"] = f"public, max-age={max_age}"
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    body = _discovery_cache.get("doc")
    if body is None:
        body = json.dumps(discovery_document(), separators=(",", ":")).encode()
        _discovery_cache["doc"] = body
    return _cached_json(body, 3600)


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return _cached_json(keys.public_jwks_bytes(), 300)


# -- helpers ------------------------------------------------------------------------------------
def _activate_language(request: HttpRequest, params: dict[str, str] | None = None) -> str:
    lang = None
    for tag in ((params or {}).get("ui_locales") or request.GET.get("ui_locales") or "").split():
        tag = tag.split("-")[0].lower()
        if tag in ("ar", "en"):
            lang = tag
            break
    if lang is None:
        lang = translation.get_language_from_request(request, check_path=False)
        lang = lang if lang in ("ar", "en") else settings.LANGUAGE_CODE
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    return lang


def _prefix(lang: str) -> str:
    return "/en" if lang == "en" else ""


def error_page(
    request: HttpRequest, *, error: str, message: str, status: int = 400, client: OidcClient | None = None
) -> HttpResponse:
    return render(
        request,
        "sso/error.html",
        {"error": error, "message": message, "client": client, "lang": translation.get_language()},
        status=status,
    )


def _redirect_error(redirect_uri: str, error: str, state: str | None, description: str = "") -> HttpResponse:
    params = [("error", error)]
    if description:
        params.append(("error_description", description))
    if state:
        params.append(("state", state))
    params.append(("iss", tokens.issuer()))
    return HttpResponseRedirect(add_params_to_uri(redirect_uri, params))


def _authorize_url(query: QueryDict, extra: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> str:
    """The authorization request as a GET address (to come back to after a login step)."""
    params = {k: v for k, v in query.items() if k not in drop}
    params.update(extra or {})
    return "/oidc/authorize?" + urlencode(params)


def _reauth_since(query: QueryDict) -> int | None:
    marker = query.get(REAUTH_PARAM)
    if not marker:
        return None
    try:
        return int(signing.loads(marker, salt=REAUTH_SALT, max_age=900))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _login_form(request: HttpRequest, query: QueryDict, *, force: bool, hint: object = None) -> HttpResponse:
    """The login form, shown by the authorization endpoint itself (identity's form and
    page): it posts back to this same authorization request, whose answer is then the
    code. After a forced login (prompt=login, max_age) the request carries a signed
    marker of when the new login began, so that login counts as fresh. The request's
    `login_hint`, when it could be a login identifier, fills in the form's first field."""
    extra = {REAUTH_PARAM: signing.dumps(int(time.time()), salt=REAUTH_SALT)} if force else None
    here = _authorize_url(query, extra, drop=(REAUTH_PARAM,))
    return identity_services.login_page(
        request,
        next_url=here,
        action=here,
        language_url=lambda code: _language_url(query, code),
        username=identity_services.login_hint(hint) if hint else "",
    )


def _language_url(query: QueryDict, code: str) -> str:
    """This authorization request again, shown in language `code` (ui_locales)."""
    return _authorize_url(query, {"ui_locales": code}, drop=(REAUTH_PARAM,))


@csrf_protect
def _login_submit(request: HttpRequest) -> HttpResponse:
    """The login form of `_login_form` posted back: the authorization request is checked
    first (a bad one gets its error, and nobody is logged in), then the password, which is
    identity's to check (throttling, audit, session); when it is right and no second factor
    is needed, this same request carries on and answers with the code."""
    response = _authorize(request, request.GET, password_login=True)
    step = getattr(request, "sso_login_step", None)
    if step is not None and step.logged_in:
        identity_services.remember_device(request, response, user=step.user)
    return response


# -- authorization endpoint --------------------------------------------------------------------
@csrf_exempt
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """OpenID Connect authorization endpoint (code flow). Requests come by GET, by POST with
    form-encoded parameters (OpenID Connect Core 3.1.2.1), or by request_uri after PAR.

    A POSTed authorization request is a top-level navigation from the service's site: it
    carries no CSRF token and is exempt. It carries no session cookie either (SameSite=Lax),
    so without a session it continues as the same request by GET (303), which does. The
    login form (shown here when nobody is logged in) and the consent page POST back here,
    with the request in the query: those POSTs are CSRF-checked like every form
    (`_login_submit`, `_consent_decision`)."""
    if request.method == "POST":
        if "decision" in request.POST:
            return _consent_decision(request)
        if "password" in request.POST:
            if request.GET:
                return _login_submit(request)
            # A login form with no authorization request to continue: refused, and the
            # password never echoed into a redirect address.
            return error_page(request, error="invalid_request", message=_("The request is not valid."))
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        if not request.user.is_authenticated:
            response = HttpResponseRedirect(_authorize_url(query))
            response.status_code = 303
            return response
        return _authorize(request, query)
    return _authorize(request, request.GET)


@csrf_protect
def _consent_decision(request: HttpRequest) -> HttpResponse:
    return _authorize(request, request.GET)


def _authorize(request: HttpRequest, query: QueryDict, *, password_login: bool = False) -> HttpResponse:
    lang = _activate_language(request, {"ui_locales": query.get("ui_locales", "")})
    client = client_get(query.get("client_id"))
    if client is None:
        return error_page(
            request,
            error="invalid_client",
            message=_("This service is not registered with Bawaba single sign-on."),
        )
    datalist = None
    request_uri = query.get("request_uri")
    if request_uri:
        pushed = selectors.pushed_request_get(client=client, request_uri=request_uri)
        if pushed is None:
            return error_page(
                request,
                error="invalid_request_uri",
                message=_("This sign-in link has expired. Please go back to the service and start again."),
                client=client,
            )
        params = dict(pushed)
        params["client_id"] = client.client_id
    else:
        if client.require_par:
            return error_page(
                request,
                error="invalid_request",
                message=_("This service must push its sign-in requests first (PAR)."),
                client=client,
            )
        params = query.dict()
        datalist = {k: query.getlist(k) for k in query}
    lang = _activate_language(request, params)
    redirect_uri = params.get("redirect_uri")
    if (
        not redirect_uri
        or not client.check_redirect_uri(redirect_uri)
        or len(query.getlist("redirect_uri")) > 1
    ):
        # Never redirect to an address the client did not register.
        return error_page(
            request,
            error="invalid_request",
            message=_("The return address of this service is not registered. You were not sent back to it."),
            client=client,
        )
    state = params.get("state")
    user = request.user if request.user.is_authenticated else None
    oreq = authorization_request(request, params, datalist)
    try:
        grant = server.get_consent_grant(oreq, end_user=user)
    except OAuth2Error as exc:
        if exc.redirect_uri:
            return _redirect_error(redirect_uri, exc.error, state, exc.description or "")
        return error_page(request, error=exc.error, message=exc.description or exc.error, client=client)
    # Beyond what Authlib checks:
    prompts = set((params.get("prompt") or "").split())
    if "none" in prompts and len(prompts) > 1:
        return _redirect_error(redirect_uri, "invalid_request", state, "prompt=none cannot be combined.")
    max_age: int | None = None
    if params.get("max_age") not in (None, ""):
        try:
            max_age = int(params["max_age"])
            if max_age < 0:
                raise ValueError
        except ValueError:
            return _redirect_error(redirect_uri, "invalid_request", state, "max_age must be a whole number.")
    if "openid" not in (oreq.scope or "").split():
        return _redirect_error(redirect_uri, "invalid_scope", state, "The openid scope is required.")

    if password_login:  # the login form posted back (`_login_submit`): the request is valid
        here = _authorize_url(query)
        step = identity_services.password_step(request, next_url=here)
        request.sso_login_step = step  # type: ignore[attr-defined]
        if step.second_factor:
            return HttpResponseRedirect(f"{_prefix(lang)}/login/verify/")
        if not step.logged_in:
            return identity_services.login_page(
                request,
                next_url=here,
                step=step,
                action=here,
                language_url=lambda code: _language_url(query, code),
            )
        user = step.user

    # id_token_hint: the person the service expects (an ID token it got from us before).
    hinted_sub = None
    if params.get("id_token_hint"):
        hinted_sub = tokens.id_token_hint_subject(params["id_token_hint"], client_id=client.client_id)
        if hinted_sub is None:
            return _redirect_error(
                redirect_uri,
                "invalid_request",
                state,
                "id_token_hint is not an ID token issued to this client.",
            )

    # 1. Authentication: a session, fresh enough for prompt=login / max_age, and of the
    # person an id_token_hint names (else a new login; prompt=none: login_required).
    auth = identity_selectors.session_auth(request) if user else None
    now = int(time.time())
    reauth_since = _reauth_since(query)
    fresh = auth is not None and reauth_since is not None and auth.auth_time >= reauth_since
    force = False
    if auth is not None and not fresh:
        if "login" in prompts or (max_age is not None and now - auth.auth_time > max_age):
            force = True
        elif hinted_sub is not None and not password_login and user is not None:
            force = hinted_sub != subject_for(
                user_id=user.pk, subject_type=client.subject_type, sector=client.sector
            )
    if auth is None or force:
        if "none" in prompts:
            return _redirect_error(redirect_uri, "login_required", state)
        if force:
            services.provider_logout(request)
        return _login_form(request, query, force=force, hint=params.get("login_hint"))

    # 2. Assurance: step-up for a missing factor; explain when the identity is too weak.
    wanted = required_acr(params.get("acr_values"), client.default_acr)
    current = session_acr(auth.amr, auth.assurance_level)
    if not acr_satisfied(current, wanted):
        assert wanted is not None
        if "none" in prompts:
            return _redirect_error(redirect_uri, "login_required", state, "A stronger login is needed.")
        if not identity_can_reach(auth.assurance_level, wanted):
            back = add_params_to_uri(
                redirect_uri,
                [("error", "unmet_authentication_requirements"), *([("state", state)] if state else [])],
            )
            return render(
                request,
                "sso/identity_too_weak.html",
                {
                    "client": client,
                    "lang": lang,
                    "wanted": wanted,
                    "level": auth.assurance_level,
                    "back": back,
                },
                status=403,
            )
        return HttpResponseRedirect(
            f"{_prefix(lang)}/login/verify/?" + urlencode({"next": _authorize_url(query)})
        )

    # 3. Consent (remembered per client and scope; first-party services skip it).
    scopes = (oreq.scope or "").split()
    if not client.first_party:
        decision = request.POST.get("decision") if request.method == "POST" else None
        if decision == "deny":
            return _redirect_error(redirect_uri, "access_denied", state)
        if decision == "allow":
            services.consent_grant(user=user, client=client, scopes=scopes)
        elif "consent" in prompts or not selectors.consent_covers(user=user, client=client, scopes=scopes):
            if "none" in prompts:
                return _redirect_error(redirect_uri, "consent_required", state)
            return render(
                request,
                "sso/consent.html",
                {
                    "client": client,
                    "client_name": client.name(lang),
                    "agency": client.agency(lang),
                    "scopes": [(s, SCOPES[s]) for s in scopes if s in SCOPES],
                    "action": _authorize_url(query),
                    "lang": lang,
                },
            )

    # 4. The code.
    sid = identity_selectors.session_id(request) or ""
    oreq.bawaba = {"sid": sid, "auth_time": auth.auth_time, "acr": current, "amr": amr_out(auth.amr)}  # type: ignore[attr-defined]
    oreq.user = user
    response = server.create_authorization_response(oreq, grant_user=user, grant=grant)
    if response.status_code == 302 and "code=" in response.get("Location", ""):
        response["Location"] = add_params_to_uri(response["Location"], [("iss", tokens.issuer())])
        if request_uri:
            services.pushed_request_use(request_uri=request_uri)
    return response


# -- back-channel endpoints -----------------------------------------------------------------------
def _counting_client_refusals(endpoint: str):  # type: ignore[no-untyped-def]
    """Endpoints where relying parties authenticate (token, PAR, revocation, introspection):
    each invalid_client is counted for the address and audited; an address with too many is
    answered 429 with Retry-After for a while, its requests not looked at. Successful
    requests pay one dictionary lookup."""

    def decorate(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        def counted(request: HttpRequest) -> HttpResponse:
            ip = client_ip(request)
            wait = services.client_auth_wait(ip)
            if wait:
                return _too_many(wait)
            response = view(request)
            if response.status_code in (400, 401) and _is_invalid_client(response):
                try:
                    services.client_auth_refused(
                        endpoint=endpoint, client_id=_presented_client_id(request), ip=ip
                    )
                except RateLimited as exc:
                    return _too_many(exc.retry_after)
            return response

        return counted

    return decorate


def _is_invalid_client(response: HttpResponse) -> bool:
    try:
        return json.loads(response.content).get("error") == "invalid_client"
    except (ValueError, AttributeError):
        return False


def _presented_client_id(request: HttpRequest) -> str:
    """The client ID a refused request named (Basic auth, form, or assertion), for the audit."""
    try:
        username, _password = extract_basic_authorization(request.headers)
    except UnicodeDecodeError:
        return "(unreadable)"
    if username:
        return username
    if request.POST.get("client_id"):
        return request.POST["client_id"]
    assertion = request.POST.get("client_assertion", "")
    if assertion:
        try:  # unverified: only to say who the refused assertion claimed to be
            sub = json.loads(jws.extract_compact(assertion.encode()).payload).get("sub")
        except (JoseError, ValueError, AttributeError):
            return "(assertion)"
        return sub if isinstance(sub, str) else "(assertion)"
    return ""


def _too_many(wait: int) -> HttpResponse:
    response = JsonResponse(
        {
            "error": "temporarily_unavailable",
            "error_description": f"Too many failed client authentications from this address. Retry after {wait} seconds.",
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def _cors(methods: str):  # type: ignore[no-untyped-def]
    """Endpoints a service's own pages may call from the browser (a public client in a
    single-page app): token, userinfo, revocation. A request whose `Origin` is the origin of
    a registered redirect URI (`web_origins_registered`) gets it back in
    Access-Control-Allow-Origin, and its preflight (OPTIONS) is answered, allowing the
    Authorization, Content-Type and DPoP headers; any other origin gets no CORS header, so
    its pages cannot read the answer. No credentials: these endpoints use no cookies.
    Servers send no Origin and pay nothing."""

    def decorate(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            origin = request.headers.get("Origin", "")
            allowed = (
                bool(origin)
                and web_origin(origin) == origin.lower()
                and origin.lower() in web_origins_registered()
            )
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = f"{methods}, OPTIONS"
                if allowed:
                    response["Access-Control-Allow-Methods"] = methods
                    response["Access-Control-Allow-Headers"] = "Authorization, Content-Type, DPoP"
                    response["Access-Control-Max-Age"] = "600"
            else:
                response = view(request)
            if allowed:
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Expose-Headers"] = "WWW-Authenticate, Retry-After"
            if origin:
                patch_vary_headers(response, ["Origin"])
            return response

        return wrapped

    return decorate


@csrf_exempt
@_cors("POST")
@require_POST
@_counting_client_refusals("token")
def token(request: HttpRequest) -> HttpResponse:
    return server.create_token_response(request)


@csrf_exempt
@_cors("GET, POST")
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    return server.create_endpoint_response("userinfo", request)


@csrf_exempt
@_cors("POST")
@require_POST
@_counting_client_refusals("revocation")
def revoke(request: HttpRequest) -> HttpResponse:
    return server.create_endpoint_response("revocation", request)


@csrf_exempt
@require_POST
@_counting_client_refusals("introspection")
def introspect(request: HttpRequest) -> HttpResponse:
    return server.create_endpoint_response("introspection", request)


@csrf_exempt
@require_POST
@_counting_client_refusals("par")
def par(request: HttpRequest) -> HttpResponse:
    """RFC 9126 pushed authorization request: the client authenticates, the request is
    validated as the authorization endpoint would, and a one-minute request_uri returned."""
    oreq = server.create_oauth2_request(request)
    try:
        client = server.authenticate_client(oreq, [*CONFIDENTIAL_AUTH_METHODS, "none"], endpoint="par")
        if "request_uri" in request.POST:
            raise_invalid("request_uri is not allowed in a pushed request.")
        params = {
            k: v
            for k, v in request.POST.items()
            if k not in ("client_secret", "client_assertion", "client_assertion_type")
        }
        params["client_id"] = client.client_id
        proof = dpop.proof_from(request.headers)
        if proof is not None:  # RFC 9449 section 10.1: the code will be bound to this key
            jkt = dpop.proof_check(proof, htm="POST", htu=dpop.endpoint_url("/oidc/par"))
            if params.setdefault("dpop_jkt", jkt) != jkt:
                raise dpop.InvalidDPoPProof("dpop_jkt is not the thumbprint of the DPoP proof's key.")
        if not client.check_redirect_uri(params.get("redirect_uri", "")):
            raise_invalid("redirect_uri is not registered for this client.")
        vreq = authorization_request(request, params)
        grant = server.get_authorization_grant(vreq)
        grant.validate_authorization_request()
    except OAuth2Error as exc:
        exc.redirect_uri = None
        return server.handle_error_response(oreq, exc)
    request_uri, ttl = services.pushed_request_save(client=client, params=params)
    return JsonResponse(
        {"request_uri": request_uri, "expires_in": ttl}, status=201, headers={"Cache-Control": "no-store"}
    )


def raise_invalid(description: str) -> None:
    from authlib.oauth2.rfc6749 import InvalidRequestError

    raise InvalidRequestError(description)


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """RP-initiated logout. With a valid id_token_hint the session ends at once; without
    one the person confirms. A tampered hint or an unregistered post_logout_redirect_uri
    is an error page, and nobody is logged out or redirected."""
    params = request.POST if request.method == "POST" else request.GET
    lang = _activate_language(request, params.dict())
    try:
        req = server.validate_endpoint_request("end_session", request)
    except OAuth2Error as exc:
        return error_page(request, error=exc.error, message=_("This logout request is not valid."))
    wanted_redirect = params.get("post_logout_redirect_uri")
    if wanted_redirect and req.redirect_uri is None:
        return error_page(
            request,
            error="invalid_request",
            message=_("The address to return to after logout is not registered for this service."),
            client=req.client,
        )
    if req.id_token_claims and request.user.is_authenticated:
        sid = identity_selectors.session_id_for_key(request.session.session_key)
        if req.id_token_claims.get("sid") not in (None, sid):
            req.id_token_claims = None  # an old session's token: ask before logging out
    if req.needs_confirmation and not (request.method == "POST" and request.POST.get("confirm") == "yes"):
        if not request.user.is_authenticated:
            return render(request, "sso/logged_out.html", {"lang": lang, "redirect": req.redirect_uri})
        return render(
            request,
            "sso/logout_confirm.html",
            {
                "client": req.client,
                "lang": lang,
                "params": params.items(),
                "client_name": req.client.name(lang) if req.client else "",
            },
        )
    response = server.create_endpoint_response("end_session", req)
    if response is not None:
        return response
    return render(request, "sso/logged_out.html", {"lang": lang, "redirect": None})
