"""The demo relying party and the first-party RP helper log people in through the
provider like any client (Authlib's OAuth2Client, in-process transport)."""

from __future__ import annotations

import httpx

from .conftest import ISSUER


def test_demo_relying_party_shows_claims_and_logs_out(
    transport, browser, django_capture_on_commit_callbacks, settings
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    from bawaba.sso import demo

    demo.load()
    page = browser.get("/en/sso-demo/")
    assert page.status_code == 200 and "Log in (substantial)" in page.text
    r = browser.post_form("/en/sso-demo/", {"acr": "loa-substantial"}) if False else None
    csrf = __import__("re").search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = browser.http.post("/en/sso-demo/login/", data={"acr": "loa-substantial", "csrfmiddlewaretoken": csrf})
    assert r.status_code == 302 and r.headers["location"].startswith(f"{ISSUER}/oidc/authorize?")
    r = browser.authorize(r.headers["location"])
    r = browser.follow(r)  # authorize -> consent page (demo-rp is a third-party service)
    assert r.status_code == 200 and "Demo e-service" in r.text
    action = (
        __import__("re")
        .search(r'<form method="post" action="([^"]+)" class="consent-form">', r.text)
        .group(1)
    )
    r = browser.post_form(action.replace("&amp;", "&"), {"decision": "allow"})
    assert r.headers["location"].startswith(f"{ISSUER}/sso-demo/callback/")
    r = browser.get(r.headers["location"])
    assert r.status_code == 302, r.text[:300]
    page = browser.get(r.headers["location"])
    assert "loa-substantial" in page.text and "Ahmad" in page.text and "UserInfo" in page.text
    csrf = __import__("re").search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = browser.http.post("/en/sso-demo/logout/", data={"csrfmiddlewaretoken": csrf})
    assert r.headers["location"].startswith(f"{ISSUER}/oidc/logout?")
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.get(r.headers["location"])
    assert r.status_code == 302 and r.headers["location"].startswith(f"{ISSUER}/sso-demo/")
    assert browser.get("/en/account/").status_code == 302


def test_rp_helper_decorator(transport, browser, settings):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from bawaba.sso.rp import oidc_login_required, rp_callback, rp_login

    browser.login()
    # drive the decorator through a real request object sharing the browser's session
    from django.contrib.sessions.backends.db import SessionStore

    @oidc_login_required(acr="loa-substantial")
    def page(request):
        return HttpResponse("hello " + rp_login(request)["acr"])

    rf = RequestFactory()
    key = browser.http.cookies.get("bawaba_session")
    request = rf.get("/portal/page/")
    request.session = SessionStore(session_key=key)
    from django.contrib.auth import get_user

    request.user = get_user(request)
    r = page(request)
    request.session.save()
    assert r.status_code == 302 and "client_id=bawaba-portal" in r["Location"]
    r2 = browser.get(r["Location"])
    assert r2.status_code == 302, (r2.status_code, r2.text[:1500])
    params = dict(httpx.URL(r2.headers["location"]).params)
    assert r2.headers["location"].startswith(f"{ISSUER}/oidc/rp/callback")
    cb = rf.get("/oidc/rp/callback", params)
    cb.session = SessionStore(session_key=key)
    cb.user = request.user
    resp = rp_callback(cb)
    assert resp.status_code == 302 and resp["Location"] == "/portal/page/"
    cb.session.save()
    again = rf.get("/portal/page/")
    again.session = SessionStore(session_key=key)
    again.user = request.user
    assert page(again).content == b"hello loa-substantial"


def test_demo_relying_party_with_dpop(transport, browser, settings):
    """The demo service's DPoP option: the code and the tokens are bound to its key, and
    its userinfo call proves possession of it."""
    import re

    from bawaba.sso import demo
    from bawaba.sso.models import AuthorizationCode

    demo.load()
    page = browser.get("/en/sso-demo/")
    assert 'name="dpop"' in page.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = browser.http.post(
        "/en/sso-demo/login/", data={"acr": "loa-low", "dpop": "1", "csrfmiddlewaretoken": csrf}
    )
    assert "dpop_jkt=" in r.headers["location"]
    r = browser.follow(browser.authorize(r.headers["location"]))
    action = re.search(r'<form method="post" action="([^"]+)" class="consent-form">', r.text).group(1)
    r = browser.post_form(action.replace("&amp;", "&"), {"decision": "allow"})
    assert AuthorizationCode.objects.exclude(dpop_jkt="").count() == 1
    r = browser.get(r.headers["location"])
    assert r.status_code == 302, r.text[:300]
    page = browser.get(r.headers["location"])
    assert "Bound to a key this service holds (DPoP" in page.text
    assert "UserInfo" in page.text and "given_name#en" in page.text  # the proof was accepted
    assert "bearer token" not in page.text
    # in Arabic too
    assert "DPoP" in browser.get("/sso-demo/").text
