"""Registered persons (人员): ID number, employer and status."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.crypto import Encrypted, lookup_hash, lookup_hashes
from app.db import Base, UTCDateTime, utcnow
from app.models.identity import Organisation


class PersonStatus(enum.StrEnum):
    IN_SERVICE = "in_service"
    DEREGISTERED = "deregistered"


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # GB 11643, validated on entry; encrypted at rest (app/crypto.py), found by its keyed hash
    # (the unique constraint on id_number is a leftover: ciphertexts differ anyway; id_number_hash holds it)
    id_number: Mapped[str] = mapped_column(Encrypted(18), unique=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(Encrypted(20))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PersonStatus.IN_SERVICE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    employer: Mapped[Organisation | None] = relationship(lazy="joined")

    @classmethod
    def id_number_is(cls, id_number: str) -> ColumnElement[bool]:
        """The condition finding a person by ID number: the number is encrypted (no two ciphertexts alike),
        so it is looked up by its keyed hash, under the current and the older data keys."""
        return cls.id_number_hash.in_(lookup_hashes(id_number.upper()))

    @validates("id_number")
    def _hash_id_number(self, _key: str, value: str) -> str:
        self.id_number_hash = lookup_hash(value.upper() if value else value)
        return value
