from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_auto_20261127_0604')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OAuthClientApp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=32)),
                ('server', fields.CharField(max_length=255)),
                ('redirect_uri', fields.CharField(max_length=512)),
                ('client_id', fields.CharField(max_length=255)),
                ('client_secret_enc', fields.TextField(unique=False)),
                ('scopes', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oauth_client_apps', 'app': 'models', 'unique_together': (('platform', 'server', 'redirect_uri'),), 'pk_attr': 'id', 'table_description': 'One registered OAuth client on one network server for one redirect URI.'},
            bases=['Model'],
        ),
    ]
