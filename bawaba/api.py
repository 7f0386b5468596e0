"""The JSON API under /api/v1/: one NinjaAPI, each app contributing a router.

This module is a composition root: it also wires who checks bearer access tokens (single
sign-on, the platform's OpenID provider) and who counts refused ones (identity's
throttling), so that apps' routers only name the scope they need and never import those
apps themselves (see the import-linter contracts)."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from bawaba.applications.api import router as applications_router
from bawaba.catalog.api import router as catalog_router
from bawaba.core.api import bearer_authority_set, install_error_handlers
from bawaba.identity.api import router as identity_router
from bawaba.identity.services import bearer_refusal_record
from bawaba.sso.selectors import access_token_check

api = NinjaAPI(
    title="Bawaba API",
    version="1",
    description=str(
        _(
            "The Bawaba e-government platform's JSON API. Errors are JSON with a stable `code` and a translated `message`."
        )
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_extra={
        "tags": [
            {
                "name": "catalogue",
                "description": "The public service catalogue: published services (filters, paging, one "
                "service in Arabic and English), search with the portal's ranking, agencies with their "
                "service centres, categories, life events. No authentication; answers carry an ETag and "
                "may be cached for a minute.",
            },
            {
                "name": "my applications",
                "description": "A citizen's own applications (with the history they see) and "
                "notifications, read-only, for apps the citizen allows: an OAuth 2.0 access token from "
                "Bawaba's OpenID provider with the scope `applications` (Authorization: Bearer). "
                "Failures follow RFC 6750 (WWW-Authenticate).",
            },
            {
                "name": "identity",
                "description": "Registration for mobile apps and the logged-in person's own data.",
            },
            {"name": "validation", "description": "Validators agencies' developers can call."},
        ]
    },
)
install_error_handlers(api)
bearer_authority_set(check=access_token_check, refused=bearer_refusal_record)
api.add_router("/", identity_router)
api.add_router("/", catalog_router)
api.add_router("/", applications_router)
