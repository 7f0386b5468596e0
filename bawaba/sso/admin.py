"""Back office: staff register relying parties; a secret is shown once, then only its hash
is kept. "Regenerate secret" issues a new one (shown once)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import BawabaError

from . import client_keys, services
from .clients import client_cache_clear
from .models import Client, Consent


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = "__all__"  # noqa: DJ007 (the admin's own field list decides what is shown)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if "client_id" in self.fields:  # adding: left empty, one is generated (bw-…)
            self.fields["client_id"].required = False
            self.fields["client_id"].help_text = _("Leave empty to have one generated.")

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        try:
            services.client_keys_validate(
                auth_method=data.get("token_endpoint_auth_method") or "",
                jwks=data.get("jwks"),
                jwks_uri=data.get("jwks_uri") or "",
            )
        except BawabaError as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return data


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = (
        "name_en",
        "name_ar",
        "client_id",
        "token_endpoint_auth_method",
        "first_party",
        "is_active",
    )
    list_filter = ("token_endpoint_auth_method", "first_party", "is_active")
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
        super().save_model(request, obj, form, change)
        client_cache_clear(obj.client_id)
        if obj.jwks_uri:
            client_keys.cache_clear(obj.jwks_uri)  # fetched afresh after an edit

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
