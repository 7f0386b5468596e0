"""Staff roles for online applications (Django groups), kept in sync after every migrate."""

from __future__ import annotations

from bawaba.core.roles import groups_sync

ROLES: dict[str, list[str]] = {
    "Agency case officer": [
        "applications.view_application",
        "applications.process_application",
    ],
    "Agency supervisor": [
        "applications.view_application",
        "applications.process_application",
        "applications.assign_application",
        "applications.view_formdefinition",
        "applications.change_formdefinition",
        "applications.add_formdefinition",
        "applications.view_formfield",
        "applications.add_formfield",
        "applications.change_formfield",
        "applications.delete_formfield",
        "applications.view_holiday",
        "portal.view_satisfaction",
    ],
    "Calendar administrator": [
        "applications.view_holiday",
        "applications.add_holiday",
        "applications.change_holiday",
        "applications.delete_holiday",
    ],
}


def roles_sync(**kwargs) -> None:  # type: ignore[no-untyped-def]
    groups_sync(ROLES)
