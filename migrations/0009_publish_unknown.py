"""TargetStatus gains UNKNOWN: only the column's description (its comment) changes.

SQLite keeps no column comments, and tortoise would rebuild the whole table there for a
description change (dropping its indexes), so on SQLite only the migration state moves;
PostgreSQL gets the new column comment.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from core.models.enums import TargetStatus


class AlterDescription(ops.AlterField):
    """AlterField for a description-only change: no table rebuild on SQLite."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        """Apply the comment change where the database stores comments."""
        if state_editor is None or state_editor.DIALECT == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        """Revert the comment change where the database stores comments."""
        if state_editor is None or state_editor.DIALECT == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_chat_identities_sessions')]

    initial = False

    operations = [
        AlterDescription(
            model_name='PublishTarget',
            name='status',
            field=fields.CharEnumField(default=TargetStatus.PENDING, db_index=True, description='PENDING: pending\nPREPARING: preparing\nPUBLISHING: publishing\nRETRY_WAIT: retry_wait\nPUBLISHED: published\nFAILED: failed\nNEEDS_RECONNECT: needs_reconnect\nCANCELLED: cancelled\nUNKNOWN: unknown', enum_type=TargetStatus, max_length=24),
        ),
    ]
