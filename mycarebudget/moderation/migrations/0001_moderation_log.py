# The moderation log moves here from the mycarebudget app. Its table stays as it is (state only).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("mycarebudget", "0001_moderation_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ModerationLogEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("action", models.CharField(max_length=60)),
                        ("target_label", models.CharField(max_length=300)),
                        ("target_url", models.CharField(blank=True, max_length=500)),
                        ("reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("moderator", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                        related_name="moderation_log_entries",
                                                        to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name_plural": "moderation log entries",
                        "db_table": "mycarebudget_moderationlogentry",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
