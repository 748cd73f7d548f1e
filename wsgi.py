"""WSGI entry point: gunicorn wsgi:app, or `flask --app wsgi run`."""
from app import create_app_or_exit

app = create_app_or_exit()
