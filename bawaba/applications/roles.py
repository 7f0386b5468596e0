"""Staff roles for online applications (Django groups), kept in sync after every migrate."""

from __future__ import annotations

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
    from django.contrib.auth.models import Group, Permission

    for name, perms in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
