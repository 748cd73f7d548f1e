"""Celery entry point: `celery -A worker worker` and `celery -A worker beat` (see docs/operations.md)."""
from app import create_app

flask_app = create_app({"WORKER": "celery"})
celery_app = flask_app.extensions["celery"]
