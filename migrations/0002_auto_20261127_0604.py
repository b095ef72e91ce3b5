from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TelegramCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('brand', fields.ForeignKeyField('models.Brand', source_field='brand_id', db_constraint=True, to_field='id', related_name='telegram_cards', on_delete=OnDelete.CASCADE)),
                ('asset', fields.ForeignKeyField('models.MediaAsset', source_field='asset_id', db_constraint=True, to_field='id', related_name='telegram_cards', on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.CharField(db_index=True, max_length=64)),
                ('message_id', fields.BigIntField(null=True)),
                ('kind', fields.CharField(default='upload', max_length=16)),
                ('platforms', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('selected', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('job', fields.ForeignKeyField('models.PublishJob', source_field='job_id', null=True, db_constraint=True, to_field='id', related_name='telegram_cards', on_delete=OnDelete.SET_NULL)),
                ('status_message_id', fields.BigIntField(null=True)),
                ('status_done', fields.BooleanField(default=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='telegram_cards', on_delete=OnDelete.SET_NULL)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'telegram_cards', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One card message in a chat: an asset, the chosen platforms, its job and status message.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TelegramChatState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.CharField(unique=True, max_length=64)),
                ('active_brand', fields.ForeignKeyField('models.Brand', source_field='active_brand_id', null=True, db_constraint=True, to_field='id', related_name='telegram_active_chats', on_delete=OnDelete.SET_NULL)),
                ('pending_card', fields.ForeignKeyField('models.TelegramCard', source_field='pending_card_id', null=True, db_constraint=True, to_field='id', related_name='pending_in', on_delete=OnDelete.SET_NULL)),
                ('pending_kind', fields.CharField(default='', max_length=16)),
                ('pending_platform', fields.CharField(default='', max_length=32)),
                ('pending_user_id', fields.CharField(default='', max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'telegram_chat_states', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Per chat: the active brand and a pending caption edit (who, which card, which platform).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TelegramIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('brand', fields.ForeignKeyField('models.Brand', source_field='brand_id', db_constraint=True, to_field='id', related_name='telegram_identities', on_delete=OnDelete.CASCADE)),
                ('telegram_user_id', fields.CharField(max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='telegram_identities', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'telegram_identities', 'app': 'models', 'unique_together': (('brand', 'telegram_user_id'),), 'pk_attr': 'id', 'table_description': 'A Telegram user acting in a brand as one core user.'},
            bases=['Model'],
        ),
    ]
