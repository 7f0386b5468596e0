from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from bawaba.api import api
from bawaba.catalog import views as catalog_views
from bawaba.core import views as core_views
from bawaba.core.metrics import metrics_view
from bawaba.sso.urls import protocol_urlpatterns as sso_protocol_urls

urlpatterns = sso_protocol_urls + [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("manifest.webmanifest", catalog_views.manifest, name="manifest"),
    path("sw.js", catalog_views.service_worker, name="service_worker"),
]

# Pages: Arabic at the unprefixed address, English under /en/ — every page has a stable,
# shareable address in each language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("bawaba.identity.urls")),
    path("", include("bawaba.messaging.urls")),
    path("", include("bawaba.sso.urls")),
    path("", include("bawaba.core.urls")),
    # Before the catalogue: the portal serves /services/<slug>/apply/ (catalog:apply's address).
    path("", include("bawaba.portal.urls")),
    path("", include("bawaba.catalog.urls")),
    path("", catalog_views.home, name="home"),
    prefix_default_language=False,
)

handler400 = "bawaba.core.views.bad_request"
handler403 = "bawaba.core.views.permission_denied"
handler404 = "bawaba.core.views.page_not_found"
handler500 = "bawaba.core.views.server_error"
