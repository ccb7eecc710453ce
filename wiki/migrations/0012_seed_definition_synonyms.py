""""What does DP mean" is a question for the glossary: a synonym group moderators can edit."""

from django.db import migrations

GROUPS = ["mean, meaning, definition, glossary"]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("wiki", "SearchSynonym")
    for words in GROUPS:
        SearchSynonym.objects.get_or_create(words=words)


class Migration(migrations.Migration):
    dependencies = [("wiki", "0011_add_proposal_submission_key")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
