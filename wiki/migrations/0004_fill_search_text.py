from django.db import migrations
from django.utils.html import strip_tags


def fill(apps, schema_editor):
    """Existing pages get their plain text and, on PostgreSQL, their ranking vector."""
    Page = apps.get_model("wiki", "Page")
    for page in Page.objects.only("pk", "body_html").iterator():
        Page.objects.filter(pk=page.pk).update(body_text=" ".join(strip_tags(page.body_html).split()))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE wiki_page SET rank_vector = setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', summary), 'B')")


class Migration(migrations.Migration):
    dependencies = [("wiki", "0003_add_search_text_and_rank")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
