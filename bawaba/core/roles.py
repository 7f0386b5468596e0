"""Staff roles as Django groups, defined in code by each app and kept in sync after every
migration (each app's AppConfig.ready connects its `roles_sync` to post_migrate)."""

from __future__ import annotations


def groups_sync(roles: dict[str, list[str]]) -> None:
    """Make each named group hold exactly the listed permissions ("app_label.codename")."""
    from django.contrib.auth.models import Group, Permission

    for name, perms in roles.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
