"""GET /healthz: 200 when the database answers and the data key reads what it holds; 503 (JSON) otherwise.

A database that does not answer fails the probe's statements (the data key's check reads a stored value): the
request's unit of work turns that into 503 `database_unavailable` (JSON: /healthz is answered as the API is), its
transaction rolled back. Catching it here left the transaction unusable: its commit raised, and a load balancer
got a 500 page after a database restart."""
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from app.api.errors import error_body
from app.crypto import stored_data_readable
from app.extensions import db

bp = Blueprint("health", __name__)

HEALTH_PATH = "/healthz"


@bp.get(HEALTH_PATH)
def healthz() -> ResponseReturnValue:
    if not stored_data_readable(db.session.connection()):  # every page showing a person would fail
        return jsonify(error_body("data_key_unreadable", "数据密钥无法解密已存数据，请检查 GJY_DATA_KEY 配置")), 503
    return jsonify({"status": "ok", "database": "ok"})
