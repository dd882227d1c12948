"""`beancan worker`: runs queued tasks (django-tasks, database backend) and the clock tick.
Any number of workers may run at once, on any machine that reaches the database."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections

log = logging.getLogger("beancan.worker")


def _clock(tick: float, stop: threading.Event) -> None:
    from beancan.inbox.clock import tick as run_tick

    while not stop.wait(tick):
        try:
            close_old_connections()
            done = run_tick()
            if any(done.values()):
                log.info("clock: %s", done)
        except Exception:  # keep ticking: a bad row must not stop every sweep
            log.exception("clock tick failed")


def run(
    interval: float = 0.2,
    tick: float = 2.0,
    queues: list[str] | None = None,
    exclude: list[str] | None = None,
    clock: bool = True,
) -> None:
    """Run until SIGTERM/SIGINT: the tasks of `queues` (all by default) but those of `exclude`,
    and the clock's sweeps unless `clock` is False."""
    from django_tasks_db.management.commands.db_worker import Worker

    stop = threading.Event()
    if clock:
        threading.Thread(target=_clock, args=(tick, stop), daemon=True, name="clock").start()
    worker = Worker(
        queue_names=queues or ["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
        excluded_queue_names=exclude or [],
    )
    worker.configure_signals()
    log.info("worker started (queues: %s%s)", ", ".join(queues or ["all"]),
             f"; not {', '.join(exclude)}" if exclude else "")  # fmt: skip
    try:
        worker.run()
    finally:
        stop.set()
        time.sleep(0)
