"""The messaging port: the adapters that carry SMS to people.

`outbox` (development and demo) keeps messages in the database for staff to read on
/staff/sms-outbox/ and with `bawaba sms_outbox`. The SMS gateway (SMPP to the operators)
plugs in here as another adapter, chosen with BAWABA_SMS_ADAPTER (a name below or a
dotted path to a class)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SendResult:
    provider_ref: str
    delivered: bool = False


class SmsAdapter(Protocol):
    name: str

    def send(self, *, to: str, body: str, message_id: str) -> SendResult: ...


class OutboxAdapter:
    """Keeps the message in the database; nothing leaves the machine."""

    name = "outbox"

    def send(self, *, to: str, body: str, message_id: str) -> SendResult:
        return SendResult(provider_ref=f"outbox-{message_id[:8]}", delivered=True)


class FailingAdapter:
    """Always fails: lets operators and tests exercise the failure path."""

    name = "failing"

    def send(self, *, to: str, body: str, message_id: str) -> SendResult:
        raise ConnectionError("the failing adapter never delivers")


ADAPTERS = {"outbox": OutboxAdapter, "failing": FailingAdapter}


def get_sms_adapter() -> SmsAdapter:
    name = settings.BAWABA_SMS_ADAPTER
    cls = ADAPTERS.get(name) or import_string(name)
    return cls()
