"""An index for matching topic titles in the site search (PostgreSQL only).

The expression is exactly what SearchVector("title", config="english") produces,
so the planner can use it.
"""

from django.db import migrations

INDEX = "forum_topic_title_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON forum_topic "
            "USING GIN (to_tsvector('english'::regconfig, COALESCE(title, '')))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("forum", "0003_search_indexes")]

    operations = [migrations.RunPython(create, drop)]
