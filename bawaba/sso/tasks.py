from django_tasks import task

from . import services


@task()
def backchannel_logout_deliver(client_pk: str, sub: str, sid: str) -> str:
    return services.backchannel_logout_deliver(client_pk=client_pk, sub=sub, sid=sid)
