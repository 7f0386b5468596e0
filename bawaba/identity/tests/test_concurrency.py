"""Two registrations of one identity completing at the same moment, in two threads with
their own database connections: exactly one account, the other a clean Conflict."""

import threading

import pytest
from django.db import connection

from bawaba.conftest import last_code
from bawaba.core.errors import Conflict
from bawaba.identity import services
from bawaba.identity.models import User

from .helpers import SARA

pytestmark = pytest.mark.django_db(transaction=True)


def start(phone: str):
    data = services.RegistrationData(**{**SARA, "phone": phone})
    return services.registration_start(data)


def test_concurrent_completion_makes_one_account():
    pendings = [start("0791112233"), start("0782223344")]
    codes = [last_code("+962791112233"), last_code("+962782223344")]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def complete(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = services.registration_complete(pending_id=pendings[i].id, code=codes[i])
        except Exception as exc:  # recorded and checked below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    users = [o for o in outcomes if isinstance(o, User)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(users) == 1 and len(conflicts) == 1, outcomes
    assert conflicts[0].code == "already_registered"
    assert User.objects.filter(national_number="9922004567").count() == 1
