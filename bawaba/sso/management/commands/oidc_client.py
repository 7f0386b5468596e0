"""Relying parties from the command line, each action printing JSON:

bawaba oidc_client create --name NAME --redirect-uri URI ...   # client_id, client_secret
bawaba oidc_client list                                       # one object per line
bawaba oidc_client show CLIENT_ID
bawaba oidc_client regenerate-secret CLIENT_ID                # the new secret, shown once
bawaba oidc_client deactivate CLIENT_ID | activate CLIENT_ID"""

import json

from django.core.management.base import BaseCommand, CommandError

from bawaba.core.errors import BawabaError
from bawaba.sso import selectors, services


class Command(BaseCommand):
    help = "Manage OpenID Connect relying parties."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="register a relying party")
        create.add_argument("--name", required=True, help="English name")
        create.add_argument("--name-ar", default="", help="Arabic name")
        create.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
        create.add_argument("--post-logout-redirect-uri", action="append", default=[], dest="post_logout")
        create.add_argument("--backchannel-logout-uri", default="")
        create.add_argument("--public", action="store_true", help="public client (PKCE, no secret)")
        create.add_argument(
            "--auth-method",
            default="client_secret_basic",
            choices=["client_secret_basic", "client_secret_post", "private_key_jwt"],
        )
        create.add_argument("--jwks", default="", help="JSON Web Key Set (for private_key_jwt), or @file")
        create.add_argument(
            "--jwks-uri",
            default="",
            help="https address where the client publishes its keys (private_key_jwt)",
        )
        create.add_argument("--scopes", default="openid profile")
        create.add_argument("--first-party", action="store_true", help="government first-party: no consent")
        create.add_argument("--agency", default="", help="agency code (e.g. MODEE)")
        create.add_argument("--subject-type", default="pairwise", choices=["pairwise", "public"])
        create.add_argument("--id-token-alg", default="ES256", choices=["ES256", "RS256"])
        create.add_argument("--require-par", action="store_true")
        create.add_argument(
            "--dpop", action="store_true", help="require DPoP proofs (RFC 9449) at the token endpoint"
        )
        create.add_argument("--grant-types", default="", help="space-separated; default by client type")
        create.add_argument("--client-id", default="")
        sub.add_parser("list", help="every relying party, one JSON object per line")
        for name, text in (
            ("show", "one relying party's registration"),
            ("regenerate-secret", "issue a new client secret (printed once; the old one stops working)"),
            ("deactivate", "refuse the client at once and revoke its refresh tokens"),
            ("activate", "accept a deactivated client again"),
        ):
            sub.add_parser(name, help=text).add_argument("client_id")

    def handle(self, *args, action, **o):
        try:
            if action == "list":
                for client in selectors.clients_all():
                    self.stdout.write(json.dumps(_summary(client)))
            elif action == "show":
                client = selectors.client_by_id(o["client_id"])
                if client is None:
                    raise CommandError(f"no such client: {o['client_id']}")
                self.stdout.write(json.dumps(_summary(client, full=True)))
            elif action == "regenerate-secret":
                secret = services.client_secret_regenerate(client_id=o["client_id"])
                self.stdout.write(json.dumps({"client_id": o["client_id"], "client_secret": secret}))
            elif action in ("deactivate", "activate"):
                revoked = services.client_set_active(client_id=o["client_id"], active=action == "activate")
                out = {"client_id": o["client_id"], "is_active": action == "activate"}
                if action == "deactivate":
                    out["refresh_token_families_revoked"] = revoked
                self.stdout.write(json.dumps(out))
            else:
                self._create(o)
        except BawabaError as exc:
            raise CommandError(str(exc.message))

    def _create(self, o):
        jwks = None
        if o["jwks"]:
            raw = o["jwks"]
            if raw.startswith("@"):
                with open(raw[1:]) as fh:
                    raw = fh.read()
            try:
                jwks = json.loads(raw)
            except ValueError as exc:
                raise CommandError(f"--jwks is not JSON: {exc}")
        try:
            client, secret = services.client_create(
                name_en=o["name"],
                name_ar=o["name_ar"],
                redirect_uris=o["redirect_uris"],
                post_logout_redirect_uris=o["post_logout"],
                backchannel_logout_uri=o["backchannel_logout_uri"],
                public=o["public"],
                auth_method=o["auth_method"],
                jwks=jwks,
                jwks_uri=o["jwks_uri"],
                scopes=o["scopes"],
                first_party=o["first_party"],
                agency_code=o["agency"],
                subject_type=o["subject_type"],
                id_token_alg=o["id_token_alg"],
                require_par=o["require_par"],
                dpop_bound_access_tokens=o["dpop"],
                grant_types=o["grant_types"].split() or None,
                client_id=o["client_id"] or None,
            )
        except BawabaError as exc:
            raise CommandError(str(exc.message))
        self.stdout.write(json.dumps({**_summary(client), "client_secret": secret}))


def _summary(client, *, full=False):
    out = {
        "client_id": client.client_id,
        "name_en": client.name_en,
        "name_ar": client.name_ar,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "redirect_uris": client.redirect_uris,
        "scopes": client.scopes,
        "grant_types": client.grant_types,
        "first_party": client.first_party,
        "is_active": client.is_active,
    }
    if full:
        out.update(
            {
                "agency": client.agency.code if client.agency_id else "",
                "post_logout_redirect_uris": client.post_logout_redirect_uris,
                "backchannel_logout_uri": client.backchannel_logout_uri,
                "jwks_uri": client.jwks_uri,
                "jwks_kids": [k.get("kid", "") for k in (client.jwks or {}).get("keys", [])],
                "subject_type": client.subject_type,
                "id_token_signed_response_alg": client.id_token_signed_response_alg,
                "require_par": client.require_par,
                "dpop_bound_access_tokens": client.dpop_bound_access_tokens,
                "default_acr": client.default_acr,
                "created_at": client.created_at.isoformat(),
                "updated_at": client.updated_at.isoformat(),
            }
        )
    return out
