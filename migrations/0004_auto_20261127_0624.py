from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_auto_20261127_0609')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SlackCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('brand', fields.ForeignKeyField('models.Brand', source_field='brand_id', db_constraint=True, to_field='id', related_name='slack_cards', on_delete=OnDelete.CASCADE)),
                ('asset', fields.ForeignKeyField('models.MediaAsset', source_field='asset_id', db_constraint=True, to_field='id', related_name='slack_cards', on_delete=OnDelete.CASCADE)),
                ('team_id', fields.CharField(max_length=64)),
                ('channel_id', fields.CharField(db_index=True, max_length=64)),
                ('message_ts', fields.CharField(null=True, max_length=32)),
                ('kind', fields.CharField(default='inbox', max_length=16)),
                ('platforms', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('selected', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('job', fields.ForeignKeyField('models.PublishJob', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='slack_cards', on_delete=OnDelete.SET_NULL)),
                ('job_key', fields.CharField(default='', max_length=128)),
                ('status_ts', fields.CharField(null=True, max_length=32)),
                ('status_done', fields.BooleanField(default=False)),
                ('decision', fields.CharField(default='', max_length=16)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='slack_cards', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'slack_cards', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One Block Kit message about an asset in a channel, its job and its status reply.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlackFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team_id', fields.CharField(max_length=64)),
                ('file_id', fields.CharField(max_length=64)),
                ('asset', fields.ForeignKeyField('models.MediaAsset', source_field='asset_id', null=True, db_constraint=True, to_field='id', related_name='slack_files', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'slack_files', 'app': 'models', 'unique_together': (('team_id', 'file_id'),), 'pk_attr': 'id', 'table_description': 'A Slack file already taken in (so an event delivered twice makes one asset).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlackIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('brand', fields.ForeignKeyField('models.Brand', source_field='brand_id', db_constraint=True, to_field='id', related_name='slack_identities', on_delete=OnDelete.CASCADE)),
                ('team_id', fields.CharField(max_length=64)),
                ('slack_user_id', fields.CharField(max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='slack_identities', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'slack_identities', 'app': 'models', 'unique_together': (('brand', 'team_id', 'slack_user_id'),), 'pk_attr': 'id', 'table_description': 'A Slack user (per workspace) acting in a brand as one core user.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlackInstallation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client_id', fields.CharField(default='', max_length=64)),
                ('app_id', fields.CharField(default='', max_length=64)),
                ('enterprise_id', fields.CharField(default='', max_length=64)),
                ('enterprise_name', fields.CharField(default='', max_length=200)),
                ('team_id', fields.CharField(default='', db_index=True, max_length=64)),
                ('team_name', fields.CharField(default='', max_length=200)),
                ('bot_token_enc', fields.TextField(null=True, unique=False)),
                ('bot_id', fields.CharField(default='', max_length=64)),
                ('bot_user_id', fields.CharField(default='', max_length=64)),
                ('bot_scopes', fields.TextField(default='', unique=False)),
                ('bot_refresh_token_enc', fields.TextField(null=True, unique=False)),
                ('bot_token_expires_at', fields.BigIntField(null=True)),
                ('user_id', fields.CharField(default='', max_length=64)),
                ('user_token_enc', fields.TextField(null=True, unique=False)),
                ('user_scopes', fields.TextField(default='', unique=False)),
                ('user_refresh_token_enc', fields.TextField(null=True, unique=False)),
                ('user_token_expires_at', fields.BigIntField(null=True)),
                ('is_enterprise_install', fields.BooleanField(default=False)),
                ('token_type', fields.CharField(default='', max_length=16)),
                ('extra', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('installed_at', fields.FloatField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'slack_installations', 'app': 'models', 'unique_together': (('client_id', 'enterprise_id', 'team_id', 'user_id'),), 'pk_attr': 'id', 'table_description': 'One workspace installation of the Slack app (tokens Fernet-encrypted).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlackOAuthState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharField(unique=True, max_length=128)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'slack_oauth_states', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time OAuth state value of an "Add to Slack" flow.'},
            bases=['Model'],
        ),
    ]
