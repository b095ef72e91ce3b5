"""Chat identities and revocable web sessions.

Chat users made by the bots used to be found by a fixed email that web sign-up also
accepted. Each existing one (no password, the bot's email pattern) gets its identity row
here, found from the per-brand Telegram and Slack identities, so it keeps its user and
brand roles; the promo bot is found by the audit row of its creation. An account someone
registered with such an email keeps its password and is never linked.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from core.models.identities import ChatProvider

LINK_EXISTING = [
    """INSERT INTO chat_identities (provider, team_id, external_id, user_id, created_at)
    SELECT DISTINCT 'telegram', '', t.telegram_user_id, t.user_id, u.created_at
    FROM telegram_identities t JOIN users u ON u.id = t.user_id
    WHERE u.password_hash = '!'
      AND u.email = 'telegram-' || t.telegram_user_id || '@users.telegram.invalid'""",
    """INSERT INTO chat_identities (provider, team_id, external_id, user_id, created_at)
    SELECT DISTINCT 'slack', s.team_id, s.slack_user_id, s.user_id, u.created_at
    FROM slack_identities s JOIN users u ON u.id = s.user_id
    WHERE u.password_hash = '!'
      AND u.email = lower('slack-' || s.team_id || '-' || s.slack_user_id
                          || '@users.slack.invalid')""",
    """INSERT INTO chat_identities (provider, team_id, external_id, user_id, created_at)
    SELECT 'promo', '', 'bot', u.id, u.created_at FROM users u
    WHERE u.id = (SELECT MIN(p.id) FROM users p JOIN audit_log a
                  ON a.object_id = CAST(p.id AS VARCHAR(20))
                  WHERE a.action = 'user.created' AND a.origin = 'promo'
                    AND a.object_type = 'users')""",
]


async def link_existing_chat_users(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    """Give every bot-made user its chat identity (plain SQL: SQLite and PostgreSQL)."""
    for statement in LINK_EXISTING:
        await schema_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0005_auto_20261127_0641')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChatIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.CharEnumField(description='TELEGRAM: telegram\nSLACK: slack\nPROMO: promo', enum_type=ChatProvider, max_length=16)),
                ('team_id', fields.CharField(default='', max_length=64)),
                ('external_id', fields.CharField(max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='chat_identities', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat_identities', 'app': 'models', 'unique_together': (('provider', 'team_id', 'external_id'),), 'pk_attr': 'id', 'table_description': 'A chat account (a Telegram user, a Slack user of one workspace, the promo bot).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='web_sessions', on_delete=OnDelete.CASCADE)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('address', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One signed-in browser, revocable on the server, only the hash of its key is stored.'},
            bases=['Model'],
        ),
        ops.RunPython(link_existing_chat_users, ops.RunPython.noop),
    ]
