"""Search indexes, one kind per database: PostgreSQL full text + trigram, SQLite FTS5."""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS wiki_page_search_vector_gin ON wiki_page USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS wiki_page_title_trgm ON wiki_page USING GIN (title gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS wiki_page_title_trgm",
    "DROP INDEX IF EXISTS wiki_page_search_vector_gin",
]
SQLITE_FORWARD = [
    # rowid is the page id; kept in step by wiki.search.index_page.
    "CREATE VIRTUAL TABLE IF NOT EXISTS wiki_page_fts USING fts5("
    "title, summary, body, tokenize='porter unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS wiki_page_fts"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("wiki", "0001_initial_pages")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
