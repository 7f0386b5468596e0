from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class BawabaArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with parameters from settings (see bench/login_rate.py for their cost).
    Hashes made with older parameters are upgraded at the next successful login."""

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_MEMORY_COST

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return settings.ARGON2_PARALLELISM
