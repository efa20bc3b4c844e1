"""Drop DRF's plain-text token table: API tokens are knox tokens now (docs/adr/0013-api-tokens.md).

``rest_framework.authtoken`` is no longer installed, so nothing else removes its table. Its
tokens were stored in plain text and never expired; they are not carried over: clients ask for
a new token with their login, password and (where it is on) their one-time code.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0004_trigram_search"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
