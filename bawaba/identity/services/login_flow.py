"""The password step of a login and the login page, shared by identity's own login page
(/login/) and single sign-on's authorization endpoint, which shows this same form itself
and issues the code as soon as the password is right (as Keycloak does: no redirect to a
separate login page and back). Identity owns the form, the checks, the throttling, the
session and the audit; the caller decides only where the person goes next."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape

from bawaba.core.context_processors import switch_url
from bawaba.core.errors import AuthenticationFailed, BawabaError, RateLimited
from bawaba.core.pages import csrf_fill, csrf_punch

from ..forms import LoginForm
from .authentication import login_password, login_send_sms_code, normalize_identifier
from .sessions import session_start

PENDING_LOGIN = "bawaba_pending_login"
PENDING_TTL = 600


@dataclass
class PasswordStep:
    """What the password step came to. Exactly one of: `logged_in` (the session is
    started; the caller answers and then calls `remember_device` on its response),
    `second_factor` (the person must give a second factor at /login/verify/, which
    returns to `next`), or neither: show the form again with its errors and `status`."""

    form: Any
    user: Any = None
    logged_in: bool = False
    second_factor: bool = False
    status: int = 200
    retry_after: int = 0


def password_step(request: HttpRequest, *, next_url: str) -> PasswordStep:
    """Check the login form POSTed on `request`."""
    form = LoginForm(request.POST)
    if not form.is_valid():
        return PasswordStep(form=form, status=422)
    try:
        check = login_password(
            identifier=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
    except RateLimited as exc:
        form.add_error(None, str(exc.message))
        return PasswordStep(form=form, status=429, retry_after=exc.retry_after)
    except AuthenticationFailed as exc:
        form.add_error(None, str(exc.message))
        return PasswordStep(form=form, status=401)
    if not check.second_factor_required:
        request.session.pop(PENDING_LOGIN, None)
        session_start(request, user=check.user, amr=["pwd"])
        return PasswordStep(form=form, user=check.user, logged_in=True)
    request.session.cycle_key()
    request.session[PENDING_LOGIN] = {
        "user_id": str(check.user.pk),
        "amr": ["pwd"],
        "at": time.time(),
        "next": next_url,
    }
    if check.methods and check.methods[0] == "sms":
        try:
            login_send_sms_code(user=check.user)
        except BawabaError:
            pass  # the verify page offers to send it again
    return PasswordStep(form=form, user=check.user, second_factor=True)


def login_page(
    request: HttpRequest,
    *,
    next_url: str,
    step: PasswordStep | None = None,
    action: str = "",
    language_url: Callable[[str], str] | None = None,
    username: str = "",
) -> HttpResponse:
    """The login page: empty, or again with the errors of a failed `step`. `action` is
    where the form posts (default: the address it was shown at); `language_url(code)`, the
    address of this page in another language (default: the site's language switch);
    `username`, an identifier to fill in (single sign-on's `login_hint`: see `login_hint`)."""
    context: dict[str, Any] = {"next": next_url, "action": action}
    if language_url is not None:
        context["bawaba_other_languages"] = [
            {"code": code, "name": name, "url": language_url(code), "current": False}
            for code, name in settings.LANGUAGES
            if code != translation.get_language()
        ]
    if step is None and not username and LOGIN_SHELL and _shell_fits(request):
        response = HttpResponse(_from_shell(request, context), content_type="text/html; charset=utf-8")
    else:
        if step is not None:
            context["form"] = step.form
        elif username:
            form = LoginForm(initial={"username": username})
            form.fields["password"].widget.attrs["autofocus"] = True  # this form's own copy
            context["form"] = form
        else:
            context["form"] = LoginForm()
        status = step.status if step is not None else 200
        response = render(request, "identity/login.html", context, status=status)
    add_never_cache_headers(response)  # a form with a CSRF token, for one person
    if step is not None and step.retry_after:
        response["Retry-After"] = str(step.retry_after)
    return response


def login_hint(raw: object) -> str:
    """The identifier a service suggests for the login form (OpenID Connect's `login_hint`),
    as the form would read it, or "" when it could not be one: a hint only fills in the
    field, the person can change it, and nothing is looked up or revealed with it."""
    if not isinstance(raw, str) or len(raw) > 64 or not raw.isprintable():
        return ""
    return normalize_identifier(raw)


# The empty login page is the same for everyone but for its CSRF token, its `next` and
# `action` addresses and its language switch: that "shell" is rendered once per language
# with placeholders, and each page fills them in (a test checks it is byte for byte the page
# rendered in full). Not for a logged-in person, nor when messages are waiting to be shown.
LOGIN_SHELL = True
_NEXT, _NEXT_Q, _ACTION, _SWITCH = "\x00next\x00", "%00qnext%00", "\x00action\x00", "\x00switch\x00"
_shells: dict[tuple[str, bool, bool, bool], str] = {}


def _shell_fits(request: HttpRequest) -> bool:
    if request.user.is_authenticated or request.COOKIES.get("messages"):
        return False
    session = getattr(request, "session", None)
    return session is None or "_messages" not in session


def _from_shell(request: HttpRequest, context: dict[str, Any]) -> bytes:
    from django.template.loader import render_to_string

    lang = translation.get_language() or settings.LANGUAGE_CODE
    key = (lang, bool(context["action"]), "bawaba_other_languages" in context, settings.DEMO_MODE)
    shell = _shells.get(key)
    if shell is None:
        shell_context = {
            "form": LoginForm(),
            "next": _NEXT,
            "action": _ACTION if context["action"] else "",
            "bawaba_other_languages": [
                {"code": code, "name": name, "url": _SWITCH, "current": False}
                for code, name in settings.LANGUAGES
                if code != lang
            ],
        }
        rendered = str(render_to_string("identity/login.html", shell_context, request=request))
        # `{{ next|urlencode }}` turned the placeholder's NUL bytes into %00
        rendered = rendered.replace(quote(_NEXT, safe="/"), _NEXT_Q)
        shell = _shells[key] = csrf_punch(rendered.encode()).decode()
    if "bawaba_other_languages" in context:
        switch = context["bawaba_other_languages"][0]["url"]
    else:
        other = next(code for code, _name in settings.LANGUAGES if code != lang)
        switch = switch_url(request, lang, other)
    next_url = context["next"]
    page = (
        shell.replace(_NEXT_Q, escape(quote(next_url, safe="/")))
        .replace(_NEXT, escape(next_url))
        .replace(_ACTION, escape(context["action"]))
        .replace(_SWITCH, escape(switch))
    )
    return csrf_fill(page.encode(), request)
