"""Per-request facts (request id, client address, user agent) that services may need
without being handed the request: set by core.middleware.RequestIdMiddleware."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


_EMPTY = RequestContext()
_ctx: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("bawaba_request", default=_EMPTY)


def current_request_context() -> RequestContext:
    return _ctx.get()


def set_request_context(ctx: RequestContext) -> contextvars.Token:
    return _ctx.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _ctx.reset(token)
