"""Model instances to and from raw SQL rows, for the few hot paths written as single statements.

Both directions go through the fields and the backend (get_db_prep_save on the way in; the
backend's and the field's converters on the way out: JSON, decimals, SQLite datetimes), so a
row written or read here is exactly what the ORM would have written or read.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """`alias.col, …` for every concrete field, in the order from_row expects."""
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def from_row(model: type[M], values: list[Any] | tuple[Any, ...]) -> M:
    """A model instance from the values of `columns(model, …)`."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        # As the SQL compiler does: the backend's converters (SQLite datetimes), then the field's.
        column = field.get_col(model._meta.db_table)
        for converter in [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def split_row(row: tuple[Any, ...], *models: type[Model]) -> list[Model]:
    """Several instances from one row that selected `columns(m, …)` for each model in turn."""
    out: list[Model] = []
    at = 0
    for model in models:
        n = len(model._meta.concrete_fields)
        out.append(from_row(model, row[at : at + n]))
        at += n
    return out


def insert_values(obj: Model) -> tuple[list[str], list[Any]]:
    """Column names and prepared values for INSERTing `obj` (every concrete field but the pk)."""
    fields: list[Field[Any, Any]] = [f for f in obj._meta.concrete_fields if not f.primary_key]
    return [str(f.column) for f in fields], [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
