from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .auth import session_has_second_factor


class BawabaAdminSite(admin.AdminSite):
    """Staff only, and only in a session that passed a second factor."""

    site_header = _("Bawaba back office")
    site_title = _("Bawaba back office")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and session_has_second_factor(request))

    def login(self, request: HttpRequest, extra_context=None):  # type: ignore[no-untyped-def]
        """Staff log in through the platform's own login (password + second factor). A staff
        member already logged in with a password only is asked for the second factor."""
        next_url = request.GET.get("next") or reverse("admin:index")
        query = urlencode({"next": next_url})
        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and not session_has_second_factor(request)
        ):
            return HttpResponseRedirect(reverse("identity:login_verify") + "?" + query)
        return HttpResponseRedirect(reverse("identity:login") + "?" + query)
