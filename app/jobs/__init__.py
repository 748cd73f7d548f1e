"""Background jobs: embedded thread by default, Celery in production; each job = units of work."""
from flask import Flask


def init_jobs(app: Flask) -> None:
    if app.config["WORKER"] == "embedded":
        from app.jobs.embedded import start_embedded_worker

        start_embedded_worker(app)
    elif app.config["WORKER"] == "celery":
        from app.jobs.celery_app import celery_init_app

        celery_init_app(app)
