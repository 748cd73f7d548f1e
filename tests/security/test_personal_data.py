"""ID numbers and phones are stored encrypted (AES-256-GCM under GJY_DATA_KEY) and found by a keyed hash;
a new key is rotated in with `flask keys rotate`; an admin's look at a full phone is audited."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from app import create_app
from app.crypto import DataKeyError, KeyRing, generate_key
from app.extensions import db
from app.models import AuditEntry, Person, User
from tests.conftest import TEST_DATA_KEY


def _raw(app: Flask, sql: str) -> list[Any]:
    with app.app_context():
        return list(db.session.execute(text(sql)).scalars())


def test_id_numbers_and_phones_are_ciphertext_in_the_database(app: Flask) -> None:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == "陆伟"))
        user = db.session.scalar(select(User).where(User.username == "city-nanning"))
        assert person is not None and user is not None
        clear_id, clear_phone = person.id_number, user.phone
    assert clear_id.startswith("450102") and clear_phone == "13907710103"  # read back in clear
    stored_ids = _raw(app, "SELECT id_number FROM persons")
    stored_phones = _raw(app, "SELECT phone FROM users WHERE phone IS NOT NULL")
    assert stored_ids and all(value.startswith("v1:") for value in stored_ids)
    assert clear_id not in stored_ids and clear_phone not in stored_phones
    assert all(value.startswith("v1:") for value in stored_phones)
    # two encryptions of one number differ (a random nonce each): equal numbers are not visible as such
    ring = KeyRing.from_texts(TEST_DATA_KEY)
    assert ring.encrypt(clear_id) != ring.encrypt(clear_id)


def test_a_person_is_found_by_id_number_through_the_keyed_hash(app: Flask) -> None:
    from app.crypto import lookup_hashes

    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == "陆伟"))
        assert person is not None
        found = db.session.scalar(select(Person).where(Person.id_number_hash.in_(lookup_hashes(person.id_number))))
        assert found is person
        assert person.id_number_hash not in (None, "") and person.id_number not in person.id_number_hash


def test_a_value_under_an_unknown_key_is_refused() -> None:
    stored = KeyRing.from_texts(generate_key()).encrypt("13907710101")
    with pytest.raises(DataKeyError):
        KeyRing.from_texts(TEST_DATA_KEY).decrypt(stored)


def test_without_a_data_key_outside_demo_mode_the_app_does_not_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="GJY_DATA_KEY"):
        create_app({"SECRET_KEY": "x", "DEMO": False, "DATA_KEY": None, "WORKER": "off",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.committing
def test_a_new_key_is_rotated_in(make_app: Any) -> None:
    old_app = make_app()
    with old_app.app_context():
        before = {row.id: (row.id_number, row.id_number_hash) for row in db.session.scalars(select(Person))}
    new_key = generate_key()
    rotating = make_app()
    rotating.config.update(DATA_KEY=new_key, DATA_KEYS_OLD=TEST_DATA_KEY)
    with rotating.app_context():  # during the rotation: old rows still read
        assert {p.id: p.id_number for p in db.session.scalars(select(Person))} == {k: v[0] for k, v in before.items()}
    result = rotating.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert f"persons.id_number: {len(before)} 条" in result.output
    again = rotating.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "persons.id_number: 0 条" in again.output  # nothing left under the old key
    only_new = make_app()
    only_new.config.update(DATA_KEY=new_key, DATA_KEYS_OLD="")
    new_id = KeyRing.from_texts(new_key).current_id
    with only_new.app_context():
        persons = list(db.session.scalars(select(Person)))
        assert {p.id: p.id_number for p in persons} == {k: v[0] for k, v in before.items()}
        assert all(p.id_number_hash != before[p.id][1] for p in persons)  # recomputed under the new key
        stored = db.session.execute(text("SELECT id_number FROM persons")).scalars().all()
        assert all(value.startswith(f"v1:{new_id}:") for value in stored)
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "keys.rotated")) is not None


def test_an_admin_seeing_a_full_phone_is_audited(app: Flask, web: Any) -> None:
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.username == "city-liuzhou"))
    html = web("admin").html(f"/admin/accounts/{target}")
    assert "13907710104" in html
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.phone_revealed")
                                  .order_by(AuditEntry.id.desc()).limit(1))
        assert entry is not None and entry.actor_name == "admin" and entry.object_id == str(target)
