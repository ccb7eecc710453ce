"""The synonyms searchers use most; moderators edit the list at /moderation/synonyms/."""

from django.db import migrations

GROUPS = [
    "pa, personal assistant, carer",
    "respite, short breaks",
    "appeal, challenge, complaint, complain",
    "chc, continuing healthcare",
    "dp, direct payment",
    "rota, timesheet, shifts",
    "phb, personal health budget",
    "icb, integrated care board",
    "ehcp, education health and care plan",
    "spend, spent, pay for, buy",
    "ask, request, apply",
    "eligible, right to",
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("wiki", "SearchSynonym")
    for words in GROUPS:
        SearchSynonym.objects.get_or_create(words=words)


class Migration(migrations.Migration):
    dependencies = [("wiki", "0008_add_anchors_missing_addresses_synonyms_watches")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
