"""Trigram indexes for the coordinators' case-insensitive search (PostgreSQL only).

Django's ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)`` on PostgreSQL; a GIN
trigram index on the same expression turns the national school search from a sequential scan
over 40,000 rows into an index lookup. SQLite (the embedded dev database) needs nothing.
"""

from django.db import migrations

SEARCHED = {
    "registration_school": ("code", "short_name", "full_name", "address"),
    "registration_municipality": ("code", "name"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in SEARCHED.items():
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCHED.items():
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("registration", "0003_accounts_credentials_totp")]

    operations = [migrations.RunPython(create, drop)]
