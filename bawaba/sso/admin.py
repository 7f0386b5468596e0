"""Back office: staff register relying parties; a secret is shown once, then only its hash
is kept. "Regenerate secret" issues a new one (shown once)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import BawabaError

from . import services
from .claims import ACR_VALUES
from .clients import USER_SCOPES
from .models import Client, Consent

GRANT_CHOICES = [
    ("authorization_code", _("Authorization code (people log in)")),
    ("refresh_token", _("Refresh tokens")),
    ("client_credentials", _("Client credentials (the agency's own system)")),
]


class LinesField(forms.CharField):
    """A list of addresses, one per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60, "dir": "ltr"})

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):  # type: ignore[no-untyped-def]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def _https_by_default(field, **kwargs):  # type: ignore[no-untyped-def]
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # an address typed without a scheme is https
    return field.formfield(**kwargs)


class ClientForm(forms.ModelForm):
    """Relying parties as staff register them: addresses one per line, scopes and grant types
    ticked, and the same checks as `bawaba oidc_client create` (services)."""

    redirect_uris = LinesField(
        label=_("Redirect URIs"), help_text=_("One address per line, exactly as the service sends it.")
    )
    post_logout_redirect_uris = LinesField(label=_("Post-logout redirect URIs"), required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Allowed scopes"), choices=[(s, s) for s in USER_SCOPES], widget=forms.CheckboxSelectMultiple
    )
    grant_types = forms.MultipleChoiceField(
        label=_("Grant types"),
        choices=GRANT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: chosen by the client type."),
    )
    default_acr = forms.ChoiceField(
        label=_("Minimum assurance (acr)"), choices=[("", "—"), *[(a, a) for a in ACR_VALUES]], required=False
    )

    class Meta:
        model = Client
        fields = "__all__"  # noqa: DJ007 (the admin's own field list decides what is shown)
        formfield_callback = _https_by_default

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if "client_id" in self.fields:  # adding: left empty, one is generated (bw-…)
            self.fields["client_id"].required = False
            self.fields["client_id"].help_text = _("Leave empty to have one generated.")
        if self.instance and self.instance.pk:
            self.initial["scopes"] = self.instance.scopes.split()
        else:
            self.initial.setdefault("scopes", ["openid", "profile"])

    def clean_scopes(self) -> str:
        return " ".join(self.cleaned_data["scopes"])

    def clean(self):  # type: ignore[no-untyped-def]
        data = self._checked(super().clean())
        if not data.get("grant_types"):  # none ticked: those of the client type, as the command
            data["grant_types"] = services.default_grant_types(data.get("token_endpoint_auth_method") or "")
        return data

    def _checked(self, data):  # type: ignore[no-untyped-def]
        try:
            services.client_registration_validate(
                auth_method=data.get("token_endpoint_auth_method") or "",
                redirect_uris=data.get("redirect_uris") or [],
                post_logout_redirect_uris=data.get("post_logout_redirect_uris") or [],
                backchannel_logout_uri=data.get("backchannel_logout_uri") or "",
                scopes=data.get("scopes") or "",
                jwks=data.get("jwks"),
                jwks_uri=data.get("jwks_uri") or "",
                grant_types=data.get("grant_types") or None,
            )
        except BawabaError as exc:
            field = getattr(exc, "field", None)
            if field in self.fields:
                self.add_error(field, str(exc.message))
            else:
                raise forms.ValidationError(str(exc.message)) from None
        return data


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # an address typed without a scheme is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    list_display = (
        "name_en",
        "name_ar",
        "client_id",
        "token_endpoint_auth_method",
        "first_party",
        "dpop_bound_access_tokens",
        "is_active",
    )
    list_filter = ("token_endpoint_auth_method", "first_party", "dpop_bound_access_tokens", "is_active")
    search_fields = ("name_en", "name_ar", "client_id")
    readonly_fields = ("client_secret_hash", "created_at", "updated_at")
    actions = ["regenerate_secret"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return (*self.readonly_fields, "client_id") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            try:
                client, secret = services.client_create(
                    client_id=obj.client_id or None,
                    name_en=obj.name_en,
                    name_ar=obj.name_ar,
                    redirect_uris=obj.redirect_uris,
                    auth_method=obj.token_endpoint_auth_method,
                    scopes=obj.scopes,
                    first_party=obj.first_party,
                    agency_code=obj.agency.code if obj.agency_id and obj.agency.code else "",
                    post_logout_redirect_uris=obj.post_logout_redirect_uris,
                    backchannel_logout_uri=obj.backchannel_logout_uri,
                    jwks=obj.jwks,
                    jwks_uri=obj.jwks_uri,
                    grant_types=obj.grant_types or None,
                    subject_type=obj.subject_type,
                    id_token_alg=obj.id_token_signed_response_alg,
                    require_par=obj.require_par,
                    dpop_bound_access_tokens=obj.dpop_bound_access_tokens,
                    default_acr=obj.default_acr,
                    actor=request.user,
                )
            except BawabaError as exc:
                messages.error(request, str(exc.message))
                return
            obj.pk = client.pk
            if secret:
                messages.warning(
                    request,
                    _("Client %(id)s created. Its secret, shown only now: %(secret)s")
                    % {"id": client.client_id, "secret": secret},
                )
            return
        services.client_update(client=obj, changed=list(form.changed_data), actor=request.user)

    @admin.action(description=_("Regenerate secret (shown once)"))
    def regenerate_secret(self, request, queryset):  # type: ignore[no-untyped-def]
        for client in queryset:
            try:
                secret = services.client_secret_regenerate(client_id=client.client_id, actor=request.user)
            except BawabaError as exc:
                messages.error(request, f"{client.client_id}: {exc.message}")
                continue
            messages.warning(
                request,
                _("New secret for %(id)s, shown only now: %(secret)s")
                % {"id": client.client_id, "secret": secret},
            )


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "client", "scopes", "updated_at")
    search_fields = ("user__username", "client__client_id")
    readonly_fields = ("user", "client", "scopes", "created_at", "updated_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
