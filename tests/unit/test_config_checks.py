"""Settings an operator can get wrong are refused when the app starts, naming the variable and what it should
be: a mistyped choice used to fall back to the console (no SMS or e-mail ever left), a gateway without its
address failed every sign-in later, a malformed number ended in a bare ValueError."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError
from app.crypto import KeyRing

ROOT = Path(__file__).resolve().parents[2]


def _start(tmp_path: Path, **settings: object) -> None:
    create_app({"SECRET_KEY": "x", "DEMO": False, "DATA_KEY": None, "WORKER": "off",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", **settings})


@pytest.mark.parametrize(("variable", "value"), [("GJY_SMS_GATEWAY", "HTTP"), ("GJY_MAIL", "SMTP"),
                                                 ("GJY_NOTIFY_CHANNEL", "e-mail"), ("GJY_WORKER", "embeded"),
                                                 ("GJY_SMTP_SECURITY", "tls")])
def test_a_mistyped_choice_is_refused_naming_the_choices(variable: str, value: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("GJY_DATA_KEY", "x")
    with pytest.raises(ConfigError, match=f"{variable}='{value}' is not one of"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x"})


def test_an_sms_gateway_without_its_address_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GJY_SMS_GATEWAY=http needs GJY_SMS_GATEWAY_URL"):
        _start(tmp_path, SMS_GATEWAY="http", SMS_GATEWAY_URL="")


@pytest.mark.parametrize(("variable", "value"), [("GJY_DB_TIMEOUT_SECONDS", "30s"),
                                                 ("GJY_SESSION_IDLE_MINUTES", "half"), ("MAX_UPLOAD_BYTES", "20MB")])
def test_a_malformed_number_is_refused_naming_the_variable(variable: str, value: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable}='{value}' is not a"):
        _start(tmp_path)


def test_a_data_key_can_be_made_before_any_app_is_configured() -> None:
    """The missing key's message sends the operator to this command; `flask keys generate` needs an app,
    which does not start without the key."""
    env = {k: v for k, v in os.environ.items() if k not in ("GJY_DATA_KEY", "SECRET_KEY", "GJY_DEMO")}
    made = subprocess.run([sys.executable, "-m", "app.new_data_key"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    assert made.stderr == ""
    key = made.stdout.strip()
    assert KeyRing.from_texts(key).decrypt(KeyRing.from_texts(key).encrypt("13907710101")) == "13907710101"
    assert "python -m app.new_data_key" in str(pytest.raises(RuntimeError, create_app, {
        "SECRET_KEY": "x", "DEMO": False, "DATA_KEY": None, "WORKER": "off",
        "SQLALCHEMY_DATABASE_URI": "sqlite://"}).value)


def test_an_unknown_rate_limit_storage_is_refused_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GJY_RATELIMIT_STORAGE_URI='foo://bar': unknown storage scheme"):
        _start(tmp_path, DATA_KEY="x", RATELIMIT_STORAGE_URI="foo://bar")


def _entry_point_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    unset = ("GJY_DATA_KEY", "SECRET_KEY", "GJY_DEMO", "DATABASE_URL", "GJY_WORKER")
    return {**{k: v for k, v in os.environ.items() if k not in unset},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", **settings}


@pytest.mark.parametrize("command", [["-m", "flask", "--app", "wsgi", "routes"], ["-c", "import worker"]],
                         ids=["flask command", "celery worker"])
def test_an_entry_point_with_a_setting_to_fix_says_which_and_stops(command: list[str], tmp_path: Path) -> None:
    """The operator reads one line naming the variable, not a traceback through Flask's loader; the status is the
    one gunicorn takes as a worker that cannot boot (it stops instead of restarting it for ever)."""
    started = subprocess.run([sys.executable, *command], cwd=ROOT, env=_entry_point_env(tmp_path),
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 3
    assert started.stderr.strip() == ("gjy-cases: configuration error: SECRET_KEY is not set: export SECRET_KEY "
                                      "(or GJY_DEMO=1 for the demo)")
