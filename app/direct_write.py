"""Write a few simple rows now, each with one plain statement, instead of through the unit-of-work flush.

Why: a step writes a handful of rows (the case, its task rows), and the ORM flush that would write
them sorts mappers and dependencies first, which costs more than SQLite running the statements (about
a quarter of a whole case lifecycle; README › Performance). `write_now` issues the INSERT or UPDATE the
flush would have issued for each object and leaves the object clean and persistent in the session, so
the flush after it has nothing left to do for these rows.

Only for simple rows; whatever it cannot write exactly as the flush would, it leaves to the flush:
an object with a changed one-to-many or many-to-many relationship, a pending object whose
many-to-one target has no primary key yet, a column whose default the database computes. An
optimistic version counter (`version_id_col`) is checked and bumped exactly as the flush does.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.orm import InstanceState, Mapper, Session, make_transient, make_transient_to_detached
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import MANYTOONE

_INSERTS: dict[Table, Any] = {}
_UPDATES: dict[Table, Any] = {}
_PK, _SEEN = "_direct_pk", "_direct_seen_version"


def write_now(session: Session, objects: Iterable[object]) -> None:
    """Write each pending or modified object of `objects` (in order: parents first) and mark it written."""
    for obj in objects:
        state: InstanceState[Any] = inspect(obj)
        if state.pending:
            written = _insert(session, state)
        elif state.persistent and state.modified:
            written = _update(session, state)
        else:
            continue
        if written:
            _mark_written(session, obj, state.persistent)


def _insert(session: Session, state: InstanceState[Any]) -> bool:
    target = _writable(state)
    if target is None:
        return False
    mapper, table, related = target
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if prop.key in state.dict or _key(column) in related:
            values[_key(column)] = state.dict.get(prop.key)
        elif column.default is not None and (column.default.is_scalar or column.default.is_callable):
            default = column.default.arg
            values[_key(column)] = default(None) if column.default.is_callable else default
        elif column.server_default is not None or (column.default is not None):
            return False  # the database (or a SQL expression) computes it: the flush reads it back
        elif not (column.primary_key and column.autoincrement):
            values[_key(column)] = None
    values.update(related)  # a many-to-one target wins over its foreign-key column, as in a flush
    if table not in _INSERTS:
        _INSERTS[table] = insert(table)
    result = session.connection().execute(_INSERTS[table], values)
    for pk_column, pk_value in zip(mapper.primary_key, result.inserted_primary_key or (), strict=False):
        values[_key(pk_column)] = pk_value
    for prop in mapper.column_attrs:  # the object holds every value the row now has
        state.dict[prop.key] = values.get(_key(prop.columns[0]))
    return True


def _update(session: Session, state: InstanceState[Any]) -> bool:
    target = _writable(state)
    if target is None:
        return False
    mapper, table, related = target
    values = {_key(prop.columns[0]): state.dict.get(prop.key) for prop in mapper.column_attrs
              if _changed(state, prop.key)}
    values.update(related)
    if not values:  # set back to the loaded values: nothing to write, as in a flush
        return True
    if any(c.onupdate is not None or c.server_onupdate is not None for c in table.columns if c.key not in values):
        return False  # a column computed on update: the flush knows how to read it back
    params: dict[str, Any] = {_PK: mapper.primary_key_from_instance(state.obj())[0]}
    version = mapper.version_id_col
    if version is not None:
        version_key = mapper.get_property_by_column(version).key
        if version_key not in state.dict:
            return False
        values[_key(version)] = state.dict[version_key] + 1
        params[_SEEN] = state.dict[version_key]
    if table not in _UPDATES:
        pk = mapper.primary_key[0]
        statement = update(table).where(pk == bindparam(_PK))
        if version is not None:
            statement = statement.where(version == bindparam(_SEEN))
        _UPDATES[table] = statement
    result = session.connection().execute(_UPDATES[table], {**params, **values})
    if result.rowcount != 1:
        raise StaleDataError(f"{table.name} {params[_PK]}: changed by another transaction")
    if version is not None:
        state.dict[version_key] = values[_key(version)]
    return True


def _key(column: Any) -> str:
    """A column's key: the name of its parameter in a Core statement."""
    return str(column.key)


def _changed(state: InstanceState[Any], key: str) -> bool:
    """Set since loaded to a different value (a value set back to what was loaded is not written)."""
    if key not in state.committed_state:
        return False
    old = state.committed_state[key]
    return old is NO_VALUE or old != state.dict.get(key)


def _writable(state: InstanceState[Any]) -> tuple[Mapper[Any], Table, dict[str, Any]] | None:
    """Mapper, table and foreign-key values from many-to-one changes, for a plain one-table mapping with a
    one-column primary key; None for what only the flush can write."""
    mapper = state.mapper
    if mapper.inherits is not None or len(mapper.primary_key) != 1 or not isinstance(mapper.local_table, Table):
        return None
    related = _related_keys(state)
    return None if related is None else (mapper, mapper.local_table, related)


def _related_keys(state: InstanceState[Any]) -> dict[str, Any] | None:
    """Foreign-key values from changed many-to-one relationships (as the flush would sync them);
    None when another kind of relationship changed or a target has no primary key yet."""
    values: dict[str, Any] = {}
    for rel in state.mapper.relationships:
        history = state.attrs[rel.key].history
        if not history.added and not history.deleted:
            continue
        if rel.direction is not MANYTOONE or rel.secondary is not None:
            return None
        target = history.added[0] if history.added else None
        target_state = inspect(target) if target is not None else None
        if target_state is not None and target_state.key is None:
            return None
        for local, remote in rel.local_remote_pairs:
            values[_key(local)] = (None if target_state is None
                                 else target_state.dict.get(rel.mapper.get_property_by_column(remote).key))
    return values


def _mark_written(session: Session, obj: object, was_persistent: bool) -> None:
    """Leave the object persistent and clean, its values as written (public ORM calls only: out of the
    session, made detached with every attribute committed, back in)."""
    session.expunge(obj)
    if was_persistent:
        make_transient(obj)
    make_transient_to_detached(obj)
    session.add(obj)
