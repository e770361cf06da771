"""Carry the old plain-text API tokens (rest_framework.authtoken) over as hashed tokens.

Knox finds a token by its first characters (`token_key`) and checks the hash of the whole
string (`digest`); both work for the old 40-character keys, so deployed clients keep their
`Authorization: Token <key>`. The plain-text rows are then deleted. The old table is read with
SQL because rest_framework.authtoken is no longer installed (on a fresh database it does not
exist and there is nothing to do).
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def legacy_tokens_import(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id" FROM {LEGACY_TABLE}')  # noqa: S608
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            digest=hash_token(key),
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=user_id,
            expiry=expiry,
            name="legacy",
        )
        for key, user_id in rows
    )
    # Dropped, not only emptied: the app is gone, and its table would keep plain-text keys'
    # place (and a foreign key to every user) for nothing.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    operations = [migrations.RunPython(legacy_tokens_import, migrations.RunPython.noop)]
