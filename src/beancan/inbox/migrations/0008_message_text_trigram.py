"""Inbox search on PostgreSQL: a trigram index on the upper-cased message text, which the
`text__icontains` lookup (`UPPER(text) LIKE UPPER('%…%')`) can use. SQLite has no such index
and keeps scanning.

pg_trgm is a trusted extension (PostgreSQL 13+): a role that may create objects in the
database can install it. Where it cannot, the index is skipped with a warning, and search
still works, by scanning."""

import warnings

from django.db import migrations, transaction

INDEX = "inbox_message_text_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON inbox_message "
                "USING gin (upper(text) gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 (any refusal: search falls back to a scan)
        warnings.warn(f"inbox search index not created ({exc}); search will scan", stacklevel=1)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0007_triage")]

    operations = [migrations.RunPython(create, drop)]
