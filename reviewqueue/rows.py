"""Model instances to and from raw SQL rows, for the few hot paths written as single statements.

Both directions go through the fields and the backend (get_db_prep_save on the way in; the
backend's and the field's converters on the way out: JSON, decimals, SQLite datetimes), so a
row written or read here is exactly what the ORM would have written or read.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


Defer = tuple[str, ...]  # attnames left out of a read; the instance loads them on access, as .defer() does


@functools.cache
def _fields(model: type[Model], defer: Defer) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.attname not in defer]


def columns(model: type[Model], alias: str, defer: Defer = ()) -> str:
    """`alias.col, …` for every concrete field not deferred, in the order from_row expects."""
    return ", ".join(f"{alias}.{f.column}" for f in _fields(model, defer))


Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
# Per connection (they are per thread), model and deferral: each column's converters, worked out once.
_converters: weakref.WeakKeyDictionary[
    BaseDatabaseWrapper, dict[tuple[type[Model], Defer], list[list[tuple[Converter, Any]]]]
] = weakref.WeakKeyDictionary()


def _column_converters(model: type[Model], defer: Defer) -> list[list[tuple[Converter, Any]]]:
    wrapper = _wrapper()
    per_model = _converters.setdefault(wrapper, {})
    found = per_model.get((model, defer))
    if found is None:
        found = []
        for field in _fields(model, defer):
            # As the SQL compiler does: the backend's converters (SQLite datetimes), then the field's.
            column = field.get_col(model._meta.db_table)
            found.append(
                [(c, column) for c in (*wrapper.ops.get_db_converters(column), *field.get_db_converters(wrapper))]
            )
        per_model[(model, defer)] = found
    return found


def _wrapper() -> BaseDatabaseWrapper:
    # `connection` is a proxy to this thread's wrapper; the cache is keyed on the wrapper itself.
    return connections[DEFAULT_DB_ALIAS]


def from_row(model: type[M], values: Sequence[Any], defer: Defer = ()) -> M:
    """A model instance from the values of `columns(model, …, defer)`."""
    wrapper = _wrapper()
    converted = list(values)
    for i, converters in enumerate(_column_converters(model, defer)):
        for convert, column in converters:
            converted[i] = convert(converted[i], column, wrapper)
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in _fields(model, defer)], converted)


def split_row(row: Sequence[Any], *shapes: tuple[type[Model], Defer]) -> list[Model]:
    """Several instances from one row that selected `columns(model, …, defer)` for each shape in turn."""
    out: list[Model] = []
    at = 0
    for model, defer in shapes:
        n = len(_fields(model, defer))
        out.append(from_row(model, row[at : at + n], defer))
        at += n
    return out


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[list[Field[Any, Any]], list[str]]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, [str(f.column) for f in fields]


def insert_values(obj: Model) -> tuple[list[str], list[Any]]:
    """Column names and prepared values for INSERTing `obj` (every concrete field but the pk)."""
    fields, cols = _insert_fields(type(obj))
    # The thread's wrapper itself, not the `connection` proxy: each field's preparation reads
    # it several times, and every read through the proxy is a context-local lookup.
    wrapper = _wrapper()
    return list(cols), [f.get_db_prep_save(f.pre_save(obj, add=True), wrapper) for f in fields]
