"""Celery for production: celery_init_app(app) as in Flask's Celery pattern, tasks and the beat schedule.

Start (see docs/operations.md):  celery -A worker worker  and  celery -A worker beat
"""
from __future__ import annotations

from typing import Any

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from flask import Flask

from app.jobs.audit import NIGHTLY_AT, verify_audit_log
from app.jobs.exchange import dispatch_outbox
from app.jobs.notify import deliver_notifications
from app.jobs.sla import refresh_deadline_states
from app.jobs.timers import fire_due_timers


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app.config))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def celery_config(config: Any) -> dict[str, Any]:
    every = float(config.get("WORKER_INTERVAL_SECONDS", 15))
    broker = config["CELERY_BROKER_URL"]
    return {
        "broker_url": broker,
        "result_backend": config.get("CELERY_RESULT_BACKEND") or broker,
        "task_ignore_result": False,
        "result_extended": True,            # results name the worker that ran the job
        "result_expires": 3600,
        "task_acks_late": True,              # a worker that dies mid-job: delivered again (docs/operations.md)
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Shanghai",
        "beat_schedule": {
            "fire-due-timers": {"task": "gjy.fire_due_timers", "schedule": every},
            "refresh-deadline-states": {"task": "gjy.refresh_deadline_states", "schedule": max(every, 60.0)},
            "deliver-notifications": {"task": "gjy.deliver_notifications", "schedule": every},
            "dispatch-outbox": {"task": "gjy.dispatch_outbox", "schedule": every},
            "verify-audit-log": {"task": "gjy.verify_audit_log",
                                 "schedule": crontab(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute)},
        },
    }


@shared_task(name="gjy.fire_due_timers")
def fire_due_timers_task() -> int:
    return fire_due_timers()


@shared_task(name="gjy.refresh_deadline_states")
def refresh_deadline_states_task() -> int:
    return refresh_deadline_states()


@shared_task(name="gjy.deliver_notifications")
def deliver_notifications_task() -> int:
    return deliver_notifications()


@shared_task(name="gjy.dispatch_outbox")
def dispatch_outbox_task() -> int:
    return dispatch_outbox()


@shared_task(name="gjy.verify_audit_log")
def verify_audit_log_task() -> int:
    return verify_audit_log()
