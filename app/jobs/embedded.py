"""A daemon thread in the app process that runs the periodic jobs (laptop / demo mode)."""
import logging
import threading

from flask import Flask

from app.jobs.timers import fire_due_timers

log = logging.getLogger(__name__)


def start_embedded_worker(app: Flask) -> threading.Thread:
    interval = float(app.config["WORKER_INTERVAL_SECONDS"])
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                with app.app_context():
                    fire_due_timers()
            except Exception:  # keep the worker alive; the error is logged with its traceback
                log.exception("embedded worker: job failed")

    thread = threading.Thread(target=loop, name="gjy-embedded-worker", daemon=True)
    thread.start()
    app.extensions["gjy_worker_stop"] = stop
    return thread
