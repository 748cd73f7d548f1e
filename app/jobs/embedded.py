"""A daemon thread in the app process that runs the periodic jobs (laptop / demo mode)."""
import logging
import threading
from collections.abc import Callable

from flask import Flask

from app.jobs.exchange import dispatch_outbox
from app.jobs.notify import deliver_notifications
from app.jobs.sla import refresh_deadline_states
from app.jobs.timers import fire_due_timers

log = logging.getLogger(__name__)

PERIODIC_JOBS: tuple[Callable[[], int], ...] = (fire_due_timers, refresh_deadline_states, deliver_notifications,
                                                dispatch_outbox)


def run_periodic_jobs(app: Flask) -> None:
    """One round of every periodic job; a failing job is logged and does not stop the others."""
    for job in PERIODIC_JOBS:
        try:
            with app.app_context():
                job()
        except Exception:  # keep the worker alive; the error is logged with its traceback
            log.exception("embedded worker: job %s failed", job.__name__)


def start_embedded_worker(app: Flask) -> threading.Thread:
    interval = float(app.config["WORKER_INTERVAL_SECONDS"])
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            run_periodic_jobs(app)

    thread = threading.Thread(target=loop, name="gjy-embedded-worker", daemon=True)
    thread.start()
    app.extensions["gjy_worker_stop"] = stop
    return thread
