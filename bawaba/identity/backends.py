from django.contrib.auth.backends import ModelBackend

from .passwords import normalize_password


class IdentityBackend(ModelBackend):
    """Password check by login identifier. An unknown identifier still costs one Argon2id
    hash (Django's ModelBackend does that), so timing does not reveal which accounts exist."""

    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[no-untyped-def]
        if password is not None:
            password = normalize_password(password)
        return super().authenticate(request, username=username, password=password, **kwargs)
