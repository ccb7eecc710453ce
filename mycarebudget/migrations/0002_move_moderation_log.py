# The moderation log now belongs to mycarebudget.moderation; its table is kept (state only).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mycarebudget", "0001_moderation_log"),
        ("moderation", "0001_moderation_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ModerationLogEntry")],
            database_operations=[],
        ),
    ]
