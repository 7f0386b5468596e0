"""Periodic background tasks. Django's tasks API has no schedule of its own, so apps
register a task and an interval here (in their `AppConfig.ready`), a scheduler enqueues each
task when it is due, and the worker runs it like any other task.

The scheduler runs inside `bawaba serve` (its supervising loop), or on its own as
`bawaba scheduler` next to `bawaba db_worker` under a process manager; `bawaba scheduler
--once` enqueues everything once (for cron). It keeps no state: a task is due when the
scheduler starts and then every interval. Registered tasks must be idempotent and cheap
to repeat: with several schedulers (one per machine) a task runs more often, never less.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task: Any  # a django_tasks Task (has .enqueue())
    every: Callable[[], float]  # seconds; read at each scheduling, so settings can change it

    def interval(self) -> float:
        return max(1.0, float(self.every()))


_registry: dict[str, PeriodicTask] = {}


def register(task: Any, *, every: float | Callable[[], float], name: str) -> None:
    """Run `task` (no arguments) every `every` seconds. Registering a name again replaces it."""
    interval = every if callable(every) else (lambda: every)
    _registry[name] = PeriodicTask(name=name, task=task, every=interval)


def registered() -> list[PeriodicTask]:
    return sorted(_registry.values(), key=lambda p: p.name)


class Scheduler:
    """Enqueues each registered task when due. `tick()` is called in a loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.next_due: dict[str, float] = {}

    def tick(self) -> list[str]:
        """Enqueue every task that is due; returns their names. A failure to enqueue (the
        database briefly away) is logged and retried at the next tick."""
        now = self.clock()
        enqueued = []
        for p in registered():
            if now < self.next_due.get(p.name, now):
                continue
            try:
                p.task.enqueue()
            except Exception:  # the scheduler outlives a failed enqueue  # noqa: BLE001
                log.exception("could not enqueue periodic task %s", p.name)
                continue
            self.next_due[p.name] = now + p.interval()
            enqueued.append(p.name)
        return enqueued


def enqueue_all() -> list[str]:
    """Enqueue every registered task once, now."""
    return Scheduler().tick()
