"""Search indexes, one kind per database: PostgreSQL full text (GIN), SQLite FTS5."""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS forum_post_search_vector_gin ON forum_post USING GIN (search_vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS forum_post_search_vector_gin"]
SQLITE_FORWARD = [
    # rowid is the post id; title is the topic title on opening posts only.
    # Only public posts are in it: forum.search.index_post keeps it in step.
    "CREATE VIRTUAL TABLE IF NOT EXISTS forum_post_fts USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS forum_post_fts"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_starter_categories")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
