"""The demo relying party (/sso-demo/): a normal confidential OpenID Connect client that
shows what it received, so a newcomer can watch single sign-on work from `make run`.
Its secret comes from BAWABA_DEMO_RP_SECRET or is generated once under the keys
directory; production refuses demo data, so the client never exists there."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from bawaba.core.audit import audit_record

from . import tokens
from .clients import client_get
from .rp import RelyingParty, dpop_proof, http_client

DEMO_CLIENT_ID = "demo-rp"
CALLBACK_PATH = "/sso-demo/callback/"
BACKCHANNEL_PATH = "/sso-demo/backchannel-logout"


def demo_secret() -> str:
    env = os.environ.get("BAWABA_DEMO_RP_SECRET")
    if env:
        return env
    path = Path(settings.KEYS_DIR) / "demo-rp-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        secret = tokens.new_secret(32)
        fh.write(secret)
    return secret


def demo_rp() -> RelyingParty:
    return RelyingParty(
        client_id=DEMO_CLIENT_ID,
        client_secret=demo_secret(),
        redirect_uri=settings.BASE_URL + CALLBACK_PATH,
        session_prefix="sso_demo",
        auth_method="client_secret_basic",
        scope="openid profile phone email",
    )


def _available() -> None:
    if not settings.DEMO_MODE or client_get(DEMO_CLIENT_ID) is None:
        raise Http404


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _available()
    rp = demo_rp()
    login = request.session.get(rp.login_key)
    userinfo = None
    if login and login.get("access_token"):
        url, token = f"{rp.issuer}/oidc/userinfo", login["access_token"]
        if login.get("dpop_key"):  # a bound token: the DPoP scheme and a proof of the key
            headers = {
                "Authorization": f"DPoP {token}",
                "DPoP": dpop_proof(login["dpop_key"], "GET", url, token),
            }
        else:
            headers = {"Authorization": f"Bearer {token}"}
        with http_client() as client:
            resp = client.request("GET", url, headers=headers, withhold_token=True)
        userinfo = resp.json() if resp.status_code == 200 else {"error": resp.status_code}
    return render(
        request,
        "sso/demo_rp.html",
        {
            "login": login,
            "claims": sorted((login or {}).get("claims", {}).items()),
            "dpop_jkt": ECKey.import_key(login["dpop_key"]).thumbprint()
            if login and login.get("dpop_key")
            else "",
            "userinfo": sorted(userinfo.items()) if userinfo else None,
            "error": request.GET.get("error"),
        },
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    _available()
    acr = (
        request.POST.get("acr")
        if request.POST.get("acr") in ("loa-low", "loa-substantial", "loa-high")
        else None
    )
    prompt = "login" if request.POST.get("prompt") == "login" else None
    lang = translation.get_language()
    return demo_rp().start(
        request,
        acr=acr,
        next_url="/en/sso-demo/" if lang == "en" else "/sso-demo/",
        prompt=prompt,
        dpop=request.POST.get("dpop") == "1",
    )


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    _available()
    try:
        _login, next_url = demo_rp().finish(request)
    except ValueError as exc:
        return HttpResponseRedirect("/sso-demo/?error=" + str(exc)[:60].replace(" ", "_").replace("&", ""))
    return HttpResponseRedirect(
        next_url if next_url.startswith("/") and not next_url.startswith("//") else "/"
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    _available()
    rp = demo_rp()
    url = rp.logout_url(request, post_logout_redirect_uri=settings.BASE_URL + "/sso-demo/")
    request.session.pop(rp.login_key, None)
    return HttpResponseRedirect(url)


@csrf_exempt
@require_POST
def backchannel_logout(request: HttpRequest) -> HttpResponse:
    """Receives logout tokens (OpenID Connect Back-Channel Logout 1.0 section 2.8)."""
    _available()
    raw = request.POST.get("logout_token", "")
    try:
        with http_client() as client:
            keyset = KeySet.import_key_set(
                client.request("GET", f"{tokens.issuer()}/oidc/jwks", withhold_token=True).json()
            )
        obj = jwt.decode(raw, keyset, algorithms=["ES256", "RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": tokens.issuer()},
            aud={"essential": True, "value": DEMO_CLIENT_ID},
            iat={"essential": True},
            jti={"essential": True},
            events={"essential": True},
        ).validate(obj.claims)
        if tokens.BACKCHANNEL_EVENT not in obj.claims["events"] or "nonce" in obj.claims:
            raise ValueError("not a logout token")
    except (JoseError, ValueError, KeyError, TypeError):
        return HttpResponseBadRequest('{"error":"invalid_request"}', content_type="application/json")
    audit_record(
        action="sso_demo.backchannel_logout", object_type="sso_session", object_id=obj.claims.get("sid", "")
    )
    resp = HttpResponse(status=200)
    resp["Cache-Control"] = "no-store"
    return resp
