"""Celery entry point: `celery -A worker worker` and `celery -A worker beat` (see docs/operations.md)."""
from flask.logging import default_handler

from app import create_app_or_exit

flask_app = create_app_or_exit({"WORKER": "celery"})
# Celery's logging (the root logger, set up when the worker starts) writes the app's lines; Flask's own handler
# wrote each a second time, to the stderr Celery redirects into its log as a WARNING.
flask_app.logger.removeHandler(default_handler)
celery_app = flask_app.extensions["celery"]
