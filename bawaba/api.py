"""The JSON API under /api/v1/: one NinjaAPI, each app contributing a router."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from bawaba.core.api import install_error_handlers
from bawaba.identity.api import router as identity_router

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
)
install_error_handlers(api)
api.add_router("/", identity_router)
