"""The national OpenID Connect provider: relying parties (clients), authorization codes,
token families and refresh tokens (stored hashed), consents, and which clients took part in
which provider session (for back-channel logout)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Client(models.Model):
    """A relying party: an agency's e-service registered by staff."""

    class AuthMethod(models.TextChoices):
        BASIC = "client_secret_basic", "client_secret_basic"
        POST = "client_secret_post", "client_secret_post"
        PRIVATE_KEY_JWT = "private_key_jwt", "private_key_jwt"
        NONE = "none", _("none (public client with PKCE)")

    class SubjectType(models.TextChoices):
        PUBLIC = "public", _("Public: the same identifier for every service")
        PAIRWISE = "pairwise", _("Pairwise: a different identifier for each service")

    class Alg(models.TextChoices):
        ES256 = "ES256", "ES256"
        RS256 = "RS256", "RS256"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_id = models.CharField(_("client ID"), max_length=100, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    agency = models.ForeignKey(
        "identity.Organisation",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # SHA-256 of a 256-bit random secret: high-entropy secrets need no slow hash.
    client_secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, blank=True, editable=False)
    token_endpoint_auth_method = models.CharField(
        _("client authentication"), max_length=30, choices=AuthMethod.choices, default=AuthMethod.BASIC
    )
    jwks = models.JSONField(_("public keys (JWKS) for private_key_jwt"), default=dict, blank=True)
    jwks_uri = models.URLField(
        _("address of the public keys (JWKS URI) for private_key_jwt"),
        max_length=500,
        blank=True,
        help_text=_(
            "Instead of the keys themselves: the client publishes its keys there and rotates them at will."
        ),
    )
    redirect_uris = models.JSONField(_("redirect URIs"), default=list)
    post_logout_redirect_uris = models.JSONField(_("post-logout redirect URIs"), default=list, blank=True)
    backchannel_logout_uri = models.URLField(_("back-channel logout URI"), blank=True)
    scopes = models.CharField(_("allowed scopes"), max_length=300, default="openid profile")
    grant_types = models.JSONField(_("grant types"), default=list)
    subject_type = models.CharField(
        _("subject identifier"), max_length=10, choices=SubjectType.choices, default=SubjectType.PAIRWISE
    )
    sector_identifier = models.CharField(
        _("sector (pairwise subjects)"),
        max_length=200,
        blank=True,
        help_text=_(
            "Services sharing a sector see the same pairwise identifier. Default: the redirect host."
        ),
    )
    id_token_signed_response_alg = models.CharField(
        _("ID token signature"), max_length=10, choices=Alg.choices, default=Alg.ES256
    )
    first_party = models.BooleanField(
        _("first-party government service"), default=False, help_text=_("Skips the consent screen.")
    )
    require_par = models.BooleanField(_("require pushed authorization requests"), default=False)
    dpop_bound_access_tokens = models.BooleanField(
        _("require DPoP-bound tokens"),
        default=False,
        help_text=_("Token requests without a DPoP proof (RFC 9449) are refused."),
    )
    can_introspect = models.BooleanField(
        _("may introspect other clients' tokens"), default=False, help_text=_("For resource servers.")
    )
    default_acr = models.CharField(_("minimum assurance (acr)"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("relying party")
        verbose_name_plural = _("relying parties")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.client_id})"

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == self.AuthMethod.NONE


class CodeInterface:
    """What Authlib asks of an authorization code (AuthorizationCodeMixin and the OpenID
    Connect code interface): the model below and services.CodeRow, the hot path's row."""

    redirect_uri: str
    scope: str
    nonce: str
    auth_time: int
    acr: str
    amr: Any

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return list(self.amr)


class AuthorizationCode(CodeInterface, models.Model):
    id = models.BigAutoField(primary_key=True)
    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=300)
    nonce = models.CharField(max_length=255, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    sid = models.CharField(max_length=64, blank=True)
    auth_time = models.BigIntegerField()
    acr = models.CharField(max_length=20)
    amr = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # `dpop_jkt` of the authorization request (RFC 9449 section 10): only a DPoP proof made
    # with that key may exchange the code. "" when not bound.
    dpop_jkt = models.CharField(max_length=64, blank=True, default="", db_default="")


class TokenFamily(models.Model):
    """Everything issued from one authorization code: the access tokens (JWTs carrying the
    family id) and the chain of rotated refresh tokens. Revoking the family revokes them all."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.OneToOneField(AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL)
    scope = models.CharField(max_length=300)
    sid = models.CharField(max_length=64, blank=True, db_index=True)
    auth_time = models.BigIntegerField()
    acr = models.CharField(max_length=20)
    amr = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)
    # A public client's refresh tokens are bound to the DPoP key of the code exchange
    # (RFC 9449 section 5): its JWK SHA-256 thumbprint; "" when not bound.
    dpop_jkt = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["user", "client"], name="sso_family_user_client")]


class RefreshToken(models.Model):
    id = models.BigAutoField(primary_key=True)
    token_hash = models.CharField(max_length=64, unique=True)
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class RevokedAccessToken(models.Model):
    """Access tokens are signed JWTs; one revoked on its own (RFC 7009) is listed here until
    it would have expired anyway."""

    jti = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField()


class UsedAssertion(models.Model):
    """`jti` of private_key_jwt client assertions already seen: a replay is refused."""

    id = models.BigAutoField(primary_key=True)
    client_id = models.CharField(max_length=100)
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "jti"], name="uniq_sso_assertion_jti")]


class PushedRequest(models.Model):
    """RFC 9126: an authorization request pushed by the client, referenced by request_uri."""

    id = models.BigAutoField(primary_key=True)
    handle_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    params = models.JSONField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Consent(models.Model):
    """What a person allowed a service to receive, remembered per client and scope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="uniq_sso_consent")]


class SessionClient(models.Model):
    """A client that received tokens in a provider session (sid = the identity session id)."""

    id = models.BigAutoField(primary_key=True)
    sid = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    logged_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sid", "client"], name="uniq_sso_session_client")]
