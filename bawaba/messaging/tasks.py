from django_tasks import task

from . import services


@task(queue_name="messaging")
def deliver_sms(message_id: str) -> str:
    return services.message_deliver(message_id=message_id)
