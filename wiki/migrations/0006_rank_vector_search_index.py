"""A GIN index on the title-and-summary vector (PostgreSQL only).

Guide search ranks only the pages whose title or summary match, and finds them with
this index instead of reading every page's vectors.
"""

from django.db import migrations

INDEX = "wiki_pagesearch_rank_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON wiki_pagesearch USING GIN (rank_vector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("wiki", "0005_move_search_vectors_to_narrow_table")]

    operations = [migrations.RunPython(create, drop)]
