"""Writes of many rows for ingest, the service's hottest path.

- `bulk_set`: one UPDATE for many rows with different values (Django's bulk_update builds a
  CASE per field and row, which cost 75% of ingest time in the profile). On SQLite (3.33+):
  `WITH v(...) AS (VALUES ...) UPDATE ... FROM v`; on PostgreSQL the values are COPYed into a
  temporary table that the UPDATE joins.
- `bulk_insert`: new rows in one COPY on PostgreSQL. Django's bulk_create sends one array per
  column (`INSERT ... SELECT * FROM unnest(...)`), and psycopg writes those arrays out as quoted
  text in Python: in a profile of ingest that was a third of the time of every insert.
- `copy_rows`: the COPY itself, for rows that need no model instance (realtime events).

Measured in docs/decisions/0002-live-service.md."""

from __future__ import annotations

from django.db import connection, models, transaction

CHUNK = 400
# Field classes whose Python value is what the column stores, so COPY can take it as it is.
# Any other field (JSON, a subclass with its own conversion) goes through get_db_prep_save.
_PLAIN = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateTimeField,
    models.FloatField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
}


def _row_values(fields: list, adding: bool):
    """obj -> its column values for `fields`, as Django's INSERT (`adding`: defaults such as
    auto_now_add are applied) or bulk_update (the attributes as they are) would store them.
    Which fields need converting is worked out once, not once per row."""
    convert = [None if type(f) in _PLAIN else f for f in fields]

    def values(obj) -> list:
        raw = [f.pre_save(obj, True) if adding else getattr(obj, f.attname) for f in fields]
        return [
            v if c is None else c.get_db_prep_save(v, connection)
            for c, v in zip(convert, raw, strict=True)
        ]

    return values


def copy_rows(table: str, columns: list[str], rows) -> None:
    """COPY rows (sequences of column values) into a table (PostgreSQL only); a constraint
    violation raises Django's IntegrityError, as an INSERT's would."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cur, connection.wrap_database_errors, cur.cursor.copy(sql) as cp:
        for row in rows:
            cp.write_row(row)


def bulk_insert(model, objs: list) -> None:
    """Insert new objects as bulk_create does: in order, and each gets its primary key. On
    PostgreSQL the keys are drawn from the table's sequence first, then every row goes in one
    COPY. Elsewhere this is bulk_create."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    pk = meta.pk
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, sorted(cur.fetchall()), strict=True):
            obj.pk = key
    fields = list(meta.concrete_fields)
    values = _row_values(fields, adding=True)

    def rows():
        for obj in objs:
            # As bulk_create: a related object saved since it was assigned gives its key.
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
            yield values(obj)

    copy_rows(meta.db_table, [f.column for f in fields], rows())
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def bulk_set(model, objs, fields: list[str]) -> None:
    """Save `fields` of every object in `objs` (which all have primary keys)."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in [pk, *columns])
    sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns)
    table, key = qn(meta.db_table), qn(pk.column)
    if connection.vendor == "postgresql":
        # The new values go into a temporary table by COPY, then one UPDATE joins it: a
        # VALUES list of CAST(%s ...) slots cost more to build and quote than the update.
        # Inside a transaction, so that the table goes with it whatever happens.
        scratch = f"bulk_set_{meta.db_table}"
        types = ", ".join(f"{qn(f.column)} {f.db_type(connection)}" for f in [pk, *columns])
        values = _row_values(columns, adding=False)
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cur:
                cur.execute(f"CREATE TEMPORARY TABLE {qn(scratch)} ({types}) ON COMMIT DROP")
            copy_rows(
                scratch,
                [f.column for f in [pk, *columns]],
                ([obj.pk, *values(obj)] for obj in objs),
            )
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {table} SET {sets} FROM {qn(scratch)} v WHERE {table}.{key} = v.{key}"
                )
                cur.execute(f"DROP TABLE {qn(scratch)}")
        return
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cur:
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params: list = []
            for obj in chunk:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                for f in columns:
                    params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
            cur.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row_sql] * len(chunk))}) "
                f"UPDATE {table} SET {sets} FROM v WHERE {table}.{key} = v.{key}",
                params,
            )
