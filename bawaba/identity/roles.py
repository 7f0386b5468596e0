"""Staff roles (Django groups) with least privilege. Kept in sync after every migrate."""

from __future__ import annotations

from bawaba.core.roles import groups_sync

ROLES: dict[str, list[str]] = {
    "Identity officer": [
        "identity.view_user",
        "identity.verify_in_person",
        "identity.view_identityverification",
        "identity.view_personal_data",
    ],
    "Support agent": ["identity.view_user", "identity.view_organisation", "identity.view_membership"],
    "Identity administrator": [
        "identity.view_user",
        "identity.change_user",
        "identity.view_organisation",
        "identity.add_organisation",
        "identity.change_organisation",
        "identity.view_membership",
        "identity.add_membership",
        "identity.change_membership",
        "identity.delete_membership",
        "identity.view_personal_data",
    ],
    "Auditor": ["core.view_auditevent"],
    "Platform operator": ["core.view_metrics", "messaging.view_outboundmessage", "core.view_auditevent"],
}


def roles_sync(**kwargs) -> None:  # type: ignore[no-untyped-def]
    groups_sync(ROLES)
