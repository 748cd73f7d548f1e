"""New password hashes use the configured method: scrypt in production, a cheap one in the tests; the dummy
hash checked for unknown user names is made the same way, so a refusal costs what a real check costs."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import config
from app.services.identity import accounts, passwords


def test_production_hashes_passwords_with_scrypt(tmp_path: Path) -> None:
    assert config.from_environment(str(tmp_path))["PASSWORD_HASH_METHOD"] == "scrypt"
    app = Flask(__name__)
    app.config.from_mapping(config.from_environment(str(tmp_path)))
    with app.app_context():
        assert accounts.hash_password("Demo-Passw0rd!").startswith("scrypt:")


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:1"])
def test_the_dummy_hash_uses_the_configured_method(method: str) -> None:
    app = Flask(__name__)
    app.config["PASSWORD_HASH_METHOD"] = method
    with app.app_context():
        real = accounts.hash_password("Demo-Passw0rd!")
        dummy = accounts._dummy_hash(passwords.hash_method())
    assert real.split("$")[0] == dummy.split("$")[0]  # same method and cost
    assert real.startswith(method)
