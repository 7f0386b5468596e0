"""Every write of the applications app. Keyword-only functions, one transaction each,
audited; SMS goes through the messaging port when the transaction commits."""

from .citizen import (
    application_draft_discard,
    application_draft_save,
    application_respond,
    application_submit,
    application_withdraw,
)
from .fees import application_fee_due, application_payment_recorded
from .forms import form_definition_publish
from .holidays import holidays_seed
from .staff import (
    application_approve,
    application_assign,
    application_comment,
    application_complete,
    application_reject,
    application_request_info,
    application_start_review,
)

__all__ = [
    "application_approve",
    "application_assign",
    "application_comment",
    "application_complete",
    "application_draft_discard",
    "application_draft_save",
    "application_fee_due",
    "application_payment_recorded",
    "application_reject",
    "application_request_info",
    "application_respond",
    "application_start_review",
    "application_submit",
    "application_withdraw",
    "form_definition_publish",
    "holidays_seed",
]
