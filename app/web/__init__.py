"""Server-rendered pages (Jinja, Flask-Login sessions, CSRF)."""
from flask import Flask

from app.web import auth, dashboard, home


def register_web(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(dashboard.bp)
