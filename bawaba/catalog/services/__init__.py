"""Every write to the catalogue. Keyword-only functions, one transaction each."""

from .importexport import catalogue_export, catalogue_import, catalogue_import_file
from .indexing import search_index_rebuild, search_index_service
from .workflow import (
    service_publish,
    service_record_edit,
    service_return_to_draft,
    service_submit_for_review,
    service_withdraw,
)

__all__ = [
    "catalogue_export",
    "catalogue_import",
    "catalogue_import_file",
    "search_index_rebuild",
    "search_index_service",
    "service_publish",
    "service_record_edit",
    "service_return_to_draft",
    "service_submit_for_review",
    "service_withdraw",
]
