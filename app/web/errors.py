"""Domain errors on pages: a Chinese message on an error page with the right status."""
from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.errors import DomainError, NotAuthenticated


def domain_error_page(exc: DomainError) -> ResponseReturnValue:
    if isinstance(exc, NotAuthenticated):
        return redirect(url_for("auth.login", next=request.path))
    return render_template("error.html", error=exc), exc.status
