from django.urls import path

from . import account_views, demo_rp, rp, views

app_name = "sso"

# Protocol endpoints: outside the language prefix (bawaba/urls.py puts them first).
protocol_urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="sso_discovery"),
    path("oidc/authorize", views.authorize, name="sso_authorize"),
    path("oidc/token", views.token, name="sso_token"),
    path("oidc/userinfo", views.userinfo, name="sso_userinfo"),
    path("oidc/jwks", views.jwks, name="sso_jwks"),
    path("oidc/revoke", views.revoke, name="sso_revoke"),
    path("oidc/introspect", views.introspect, name="sso_introspect"),
    path("oidc/par", views.par, name="sso_par"),
    path("oidc/logout", views.logout, name="sso_logout"),
    path("oidc/rp/callback", rp.rp_callback, name="sso_rp_callback"),
    path("sso-demo/callback/", demo_rp.callback, name="sso_demo_callback"),
    path("sso-demo/backchannel-logout", demo_rp.backchannel_logout, name="sso_demo_backchannel"),
]

# Pages (inside i18n_patterns).
urlpatterns = [
    path("account/connected-services/", account_views.connected_services, name="connected_services"),
    path(
        "account/connected-services/consents/<uuid:consent_id>/revoke/",
        account_views.consent_revoke,
        name="consent_revoke",
    ),
    path(
        "account/connected-services/sessions/<uuid:session_id>/end/",
        account_views.session_end,
        name="session_end",
    ),
    path("sso-demo/", demo_rp.home, name="demo"),
    path("sso-demo/login/", demo_rp.start, name="demo_start"),
    path("sso-demo/logout/", demo_rp.logout, name="demo_logout"),
]
