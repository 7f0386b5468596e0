"""Single sign-on's part when identity ends login sessions (`identity.signals`): connected
in `SsoConfig.ready`, so identity never imports single sign-on."""

from __future__ import annotations

from typing import Any

from . import services


def identity_session_ended(
    sender: Any, *, user: Any, session_ids: list[str], reason: str, **kwargs: Any
) -> None:
    """Revoke the tokens issued in those sessions and queue back-channel logout tokens
    for every service that took part in them (inside identity's transaction: the tasks are
    enqueued on commit)."""
    for sid in session_ids:
        services.provider_session_ended(user=user, sid=str(sid), reason=reason)
