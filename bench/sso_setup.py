"""Set-up for bench/sso_bench.py (run inside the benchmark's environment): registers the
benchmark clients and pre-issues refresh tokens; prints one JSON object."""

import datetime as dt
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from bawaba.identity.selectors import user_by_identifier  # noqa: E402
from bawaba.sso import services  # noqa: E402
from bawaba.sso import tokens as tokens_mod  # noqa: E402
from bawaba.sso.models import Client, RefreshToken, TokenFamily  # noqa: E402

n_refresh = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
Client.objects.filter(client_id__startswith="bench-").delete()
cc, cc_secret = services.client_create(
    client_id="bench-cc",
    name_en="Bench agency system",
    redirect_uris=["http://127.0.0.1:9/cb"],
    scopes="openid profile",
)
rp, rp_secret = services.client_create(
    client_id="bench-rp",
    name_en="Bench relying party",
    redirect_uris=["http://127.0.0.1:9/cb"],
    scopes="openid profile phone",
    first_party=True,
)
user = user_by_identifier("2000112345")
# One family per pre-issued token, as if each came from its own login (bulk inserts: fast set-up).
families = TokenFamily.objects.bulk_create(
    [
        TokenFamily(
            client_id=rp.pk,
            user=user,
            scope="openid profile",
            sid="",
            auth_time=0,
            acr="loa-low",
            amr=["pwd"],
        )
        for _ in range(n_refresh)
    ],
    batch_size=2000,
)
tokens = [tokens_mod.new_secret(32) for _ in families]
expires = timezone.now() + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL)
RefreshToken.objects.bulk_create(
    [
        RefreshToken(token_hash=tokens_mod.sha256(t), family_id=f.pk, expires_at=expires)
        for t, f in zip(tokens, families, strict=True)
    ],
    batch_size=2000,
)
print(
    json.dumps(
        {
            "cc_id": cc.client_id,
            "cc_secret": cc_secret,
            "rp_id": rp.client_id,
            "rp_secret": rp_secret,
            "refresh_tokens": tokens,
        }
    )
)
