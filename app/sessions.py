"""Page sessions: Flask's signed cookie, written only when its content changes, and a second signed cookie
that only says when the session was last used.

Why two cookies: with one, the idle timeout is renewed by writing the session cookie again on every answer,
as it was when the request arrived. An answer that comes back late (the form editor's preview, sent while the
user types; a second tab) then writes back an older content over a newer one: a flash message is lost or
shown twice, a sign-in made meanwhile in another tab is undone. Here an answer writes the content cookie only
when the request changed the session; every answer to a request with a session (but a static file's) writes
the activity cookie (`ACTIVITY_COOKIE`, a signed moment and the session's activity key), which a late answer
cannot make wrong. The activity key is a random value kept in the session's content from its first answer
(`ACTIVITY_KEY`; a sign-in clears the session and gets a new one): an activity cookie counts only for the
session whose key it signs, so one taken from another browser's visit (an anonymous GET /login) cannot bring an
idle session back.

A session ends after PERMANENT_SESSION_LIFETIME (the idle timeout) without a request: the
later of the two cookies' signed moments must be that recent (checked here, on the server; the browser drops
the cookies at the same time). The content cookie's own signature stays valid for CONTENT_LIFETIME and is
written again, unchanged, when older than REWRITE_AFTER, so a session in use never ends; only that rare
rewrite could still carry an older content (once in REWRITE_AFTER, if another answer changed it meanwhile).
"""
from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

ACTIVITY_COOKIE = "gjy_active"
ACTIVITY_SALT = "gjy-session-activity"
ACTIVITY_KEY = "_activity"  # in the session's content: what its activity cookie must sign
CONTENT_LIFETIME = timedelta(hours=24)
REWRITE_AFTER = timedelta(hours=12)


class PageSession(SecureCookieSession):
    """The session as read from its cookie, with the moment that cookie was signed (None: a new session)."""

    written_at: float | None = None


class CookieSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose content cookie is written when changed, with an activity cookie for the
    idle timeout (module docstring). The signing serializers are built once per key set, not per request
    (building one serializes a sample payload); a changed SECRET_KEY or fallback list gets new ones."""

    session_class = PageSession
    _built: tuple[tuple[Any, ...], URLSafeTimedSerializer | None, URLSafeTimedSerializer | None] | None = None

    def _serializers(self, app: Flask) -> tuple[URLSafeTimedSerializer | None, URLSafeTimedSerializer | None]:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built = self._built
        if built is None or built[0] != keys:
            content = super().get_signing_serializer(app)
            activity = (URLSafeTimedSerializer([*keys[1:], keys[0]], salt=ACTIVITY_SALT)  # current key last
                        if app.secret_key else None)
            built = self._built = (keys, content, activity)
        return built[1], built[2]

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._serializers(app)[0]

    def open_session(self, app: Flask, request: Request) -> PageSession | None:
        content, activity = self._serializers(app)
        if content is None or activity is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed = content.loads(value, max_age=int(CONTENT_LIFETIME.total_seconds()),
                                         return_timestamp=True)
        except BadSignature:
            return self.session_class()
        last_used = max(signed.timestamp(),
                        _last_activity(activity, request.cookies.get(ACTIVITY_COOKIE), data.get(ACTIVITY_KEY)))
        if time.time() - last_used > app.permanent_session_lifetime.total_seconds():
            ended = self.session_class()
            ended.modified = True  # idle too long: the session ended, its cookie is removed
            return ended
        session = self.session_class(data)
        session.written_at = signed.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Only a changed content is written; a kept one when its signature gets old (REWRITE_AFTER)."""
        if session.modified:
            return True
        written_at = getattr(session, "written_at", None)
        return (session.permanent and written_at is not None
                and time.time() - written_at > REWRITE_AFTER.total_seconds())

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        return datetime.now(UTC) + CONTENT_LIFETIME if session.permanent else None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session and ACTIVITY_KEY not in session:  # written with the content, once per session
            session[ACTIVITY_KEY] = secrets.token_urlsafe(16)
        super().save_session(app, session, response)
        if request.endpoint == "static":  # a page's assets: the page itself renewed it; no cookie on them
            return
        attributes: dict[str, Any] = {
            "domain": self.get_cookie_domain(app), "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app), "samesite": self.get_cookie_samesite(app),
            "httponly": True, "partitioned": self.get_cookie_partitioned(app)}
        if session:  # a request of this session: it was active now
            _content, activity = self._serializers(app)
            assert activity is not None  # open_session returned no session without one
            idle = app.permanent_session_lifetime
            response.set_cookie(ACTIVITY_COOKIE, activity.dumps(session[ACTIVITY_KEY]),
                                max_age=int(idle.total_seconds()), expires=datetime.now(UTC) + idle, **attributes)
        elif ACTIVITY_COOKIE in request.cookies:  # no session (signed out, ended): nothing was active
            response.delete_cookie(ACTIVITY_COOKIE, **attributes)


def _last_activity(serializer: URLSafeTimedSerializer, value: str | None, key: Any) -> float:
    """When the activity cookie was signed (0 when there is none, it is not ours, or it is another session's:
    it must sign `key`, the session's activity key)."""
    if not value or not key:
        return 0.0
    try:
        signed_key, signed = serializer.loads(value, return_timestamp=True)
    except BadSignature:
        return 0.0
    return float(signed.timestamp()) if secrets.compare_digest(str(signed_key), str(key)) else 0.0
