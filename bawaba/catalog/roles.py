"""Catalogue staff roles (Django groups), kept in sync after every migrate.

An editor writes drafts and submits them for review; a reviewer publishes or returns them.
Separation of duties: a reviewer cannot publish a version they edited themselves unless
they also hold `catalog.publish_own_changes` (given to no role by default)."""

from __future__ import annotations

from bawaba.core.roles import groups_sync

ROLES: dict[str, list[str]] = {
    "Catalogue editor": [
        "catalog.view_agency",
        "catalog.change_agency",
        "catalog.view_servicecentre",
        "catalog.add_servicecentre",
        "catalog.change_servicecentre",
        "catalog.view_category",
        "catalog.view_lifeevent",
        "catalog.view_service",
        "catalog.add_service",
        "catalog.change_service",
        "catalog.view_fee",
        "catalog.add_fee",
        "catalog.change_fee",
        "catalog.delete_fee",
        "catalog.view_servicerevision",
        "catalog.export_catalogue",
    ],
    "Catalogue reviewer": [
        "catalog.view_agency",
        "catalog.add_agency",
        "catalog.change_agency",
        "catalog.view_servicecentre",
        "catalog.add_servicecentre",
        "catalog.change_servicecentre",
        "catalog.delete_servicecentre",
        "catalog.view_category",
        "catalog.add_category",
        "catalog.change_category",
        "catalog.view_lifeevent",
        "catalog.change_lifeevent",
        "catalog.view_service",
        "catalog.change_service",
        "catalog.view_fee",
        "catalog.view_servicerevision",
        "catalog.publish_service",
        "catalog.export_catalogue",
        "catalog.import_catalogue",
    ],
}


def roles_sync(**kwargs) -> None:  # type: ignore[no-untyped-def]
    groups_sync(ROLES)
