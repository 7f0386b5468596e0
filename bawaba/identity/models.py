"""The national digital identity: people, organisations, how sure we are who they are
(assurance), and how they prove it (passwords, one-time codes, TOTP, passkeys)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssuranceLevel(models.TextChoices):
    LOW = "low", _("Low: self-asserted, mobile verified")
    SUBSTANTIAL = "substantial", _("Substantial: matched with the civil registry")
    HIGH = "high", _("High: verified in person")


ASSURANCE_ORDER = {AssuranceLevel.LOW: 1, AssuranceLevel.SUBSTANTIAL: 2, AssuranceLevel.HIGH: 3}


_USER_BY_USERNAME: dict[str, str] = {}
# (username, its row or None) read by the login's own statement: see prefetched_login_user.
_prefetched_user: ContextVar[tuple[str, tuple | None] | None] = ContextVar("bawaba_login_user", default=None)


@contextmanager
def prefetched_login_user(username: str, row: tuple | None) -> Iterator[None]:
    """While this lasts, UserManager.get_by_natural_key(username) answers with `row` (None:
    no such user) instead of reading it: the caller has just read it in a statement of its
    own. Django's backend then checks the password as always (an unknown user still costs a
    hash)."""
    token = _prefetched_user.set((username, row))
    try:
        yield
    finally:
        _prefetched_user.reset(token)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def login_columns(self) -> tuple[list[str], list[str]]:
        """(attribute names, quoted SQL columns) of a user row as get_by_natural_key reads it."""
        from django.db import connections

        connection = connections[self.db]
        fields = self.model._meta.concrete_fields
        return [f.attname for f in fields], [connection.ops.quote_name(f.column) for f in fields]

    def get_by_natural_key(self, username: str | None) -> User:
        """The user by login identifier (every password login asks). On PostgreSQL a plain
        statement whose row becomes the model the way the ORM builds it (Model.from_db):
        a quarter of the ORM query's CPU time; the same columns and values. Within
        `prefetched_login_user(username, row)` the row read by the caller's own statement
        (the login reads it with the throttle counters) is used instead."""
        from django.db import connections

        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return super().get_by_natural_key(username)
        attnames, columns = self.login_columns()
        prefetched = _prefetched_user.get()
        if prefetched is not None and prefetched[0] == username:
            row = prefetched[1]
        else:
            sql = _USER_BY_USERNAME.get(self.model._meta.db_table)
            if sql is None:
                table = connection.ops.quote_name(self.model._meta.db_table)
                sql = _USER_BY_USERNAME[self.model._meta.db_table] = (
                    f"SELECT {', '.join(columns)} FROM {table} WHERE {connection.ops.quote_name('username')} = %s"  # noqa: S608
                )
            with connection.cursor() as cursor:
                cursor.execute(sql, [username])
                row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist
        return self.model.from_db(self.db, attnames, row)

    def create_user(self, username: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra):  # type: ignore[no-untyped-def]
        extra.setdefault("kind", User.Kind.STAFF)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class Organisation(models.Model):
    """A company or a government agency. People act on its behalf through a membership."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Government agency")
        COMPANY = "company", _("Company")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True, null=True, blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=40, unique=True, null=True, blank=True
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en or self.name_ar


class User(AbstractBaseUser, PermissionsMixin):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        RESIDENT = "resident", _("Resident")
        STAFF = "staff", _("Government staff")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # What the person types to log in: the national number for citizens, the personal
    # number (or NATIONALITY-PASSPORT) for residents, a user name for staff.
    username = models.CharField(_("login identifier"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    national_number = models.CharField(
        _("national number"), max_length=10, unique=True, null=True, blank=True
    )
    personal_number = models.CharField(
        _("personal number"), max_length=20, unique=True, null=True, blank=True
    )
    passport_number = models.CharField(_("passport number"), max_length=20, null=True, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, help_text=_("ISO 3166 country code")
    )
    name_ar = models.CharField(_("full name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("full name (English)"), max_length=200, blank=True)
    given_name_ar = models.CharField(_("given name (Arabic)"), max_length=100, blank=True)
    family_name_ar = models.CharField(_("family name (Arabic)"), max_length=100, blank=True)
    given_name_en = models.CharField(_("given name (English)"), max_length=100, blank=True)
    family_name_en = models.CharField(_("family name (English)"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=16, blank=True, db_index=True)
    phone_verified_at = models.DateTimeField(_("mobile verified"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    email_verified = models.BooleanField(_("email verified"), default=False)
    assurance_level = models.CharField(
        _("assurance level"), max_length=12, choices=AssuranceLevel.choices, default=AssuranceLevel.LOW
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    sms_second_factor = models.BooleanField(_("SMS codes as second factor"), default=False)
    # Kept by the enrolment services (authenticator app confirmed or removed, passkey added
    # or removed), so that a password login knows without a query whether to ask for more.
    has_strong_factor = models.BooleanField(_("has an authenticator app or a passkey"), default=False)
    is_staff = models.BooleanField(_("back-office access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["nationality", "passport_number"],
                condition=Q(passport_number__isnull=False),
                name="uniq_passport_per_nationality",
            ),
        ]
        permissions = [
            ("verify_in_person", _("Can record an in-person identity verification")),
            ("view_personal_data", _("Can see people's personal data")),
        ]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.name_en or self.name_ar or self.username

    def get_short_name(self) -> str:
        return self.given_name_en or self.given_name_ar or self.username

    @property
    def phone_verified(self) -> bool:
        return self.phone_verified_at is not None


def strong_factor_refresh(user: User) -> None:
    """Recompute `has_strong_factor` from the user's authenticators and passkeys."""
    value = user.totp_devices.filter(confirmed=True).exists() or user.passkeys.exists()
    if value != user.has_strong_factor:
        user.has_strong_factor = value
        User.objects.filter(pk=user.pk).update(has_strong_factor=value)


class Membership(models.Model):
    """A person's role in an organisation: who may act on its behalf."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Administrator")
        REPRESENTATIVE = "representative", _("Authorised representative")
        MEMBER = "member", _("Member")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_represent(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN, self.Role.REPRESENTATIVE)


class PendingRegistration(models.Model):
    """A registration waiting for its mobile number to be verified. No account exists
    until the code is entered, so an abandoned registration leaves nothing half-made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=User.Kind.choices)
    username = models.CharField(max_length=64)
    national_number = models.CharField(max_length=10, blank=True)
    personal_number = models.CharField(max_length=20, blank=True)
    passport_number = models.CharField(max_length=20, blank=True)
    nationality = models.CharField(max_length=2, blank=True)
    name_ar = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=16)
    password_hash = models.CharField(max_length=256)
    existing_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS. Stored as a keyed hash; single use; 10 minutes."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("Registration")
        LOGIN = "login", _("Login")
        RESET = "reset", _("Password reset")
        PHONE_CHANGE = "phone_change", _("Mobile number change")

    id = models.BigAutoField(primary_key=True)
    subject = models.CharField(max_length=100, db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    phone = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["subject", "purpose", "-created_at"], name="otp_subject_purpose")]


class AttemptCounter(models.Model):
    """Failures counted per key (an account, an address, a code's subject), independent of
    any one code or session: asking for a new code does not reset it."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)


class TotpDevice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_devices")
    name = models.CharField(_("name"), max_length=100, default="Authenticator")
    secret_encrypted = models.TextField()
    confirmed = models.BooleanField(default=False)
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="uniq_recovery_code")]


class Passkey(models.Model):
    """A WebAuthn credential (passkey or security key)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False)
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")


class UserSession(models.Model):
    """One logged-in session, listed on the account page and revocable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    amr = models.JSONField(default=list)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_active")]


class KnownDevice(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    device_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=400, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "device_hash"], name="uniq_known_device")]


class IdentityVerification(models.Model):
    """Evidence behind an assurance level: a civil-registry match or an in-person check."""

    class Method(models.TextChoices):
        CIVIL_REGISTRY = "civil_registry", _("Matched with the civil registry")
        IN_PERSON = "in_person", _("Verified in person at a service centre")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    level = models.CharField(_("level reached"), max_length=12, choices=AssuranceLevel.choices)
    verified_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    document_type = models.CharField(_("document checked"), max_length=50, blank=True)
    document_reference = models.CharField(_("document reference"), max_length=50, blank=True)
    service_centre = models.CharField(_("service centre"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("identity verification")
        verbose_name_plural = _("identity verifications")
        ordering = ["-created_at"]
