from django_tasks import task

from . import services


@task()
def backchannel_logout_deliver(client_pk: str, sub: str, sid: str, attempt: int = 1) -> str:
    return services.backchannel_logout_deliver(client_pk=client_pk, sub=sub, sid=sid, attempt=attempt)


@task()
def oidc_purge() -> dict[str, int]:
    """Periodic (registered in SsoConfig.ready, every BAWABA_OIDC_PURGE_INTERVAL seconds)."""
    return services.oidc_purge()
