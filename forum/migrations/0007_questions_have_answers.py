from django.db import migrations


def questions_have_answers(apps, schema_editor):
    apps.get_model("forum", "Category").objects.filter(slug="questions").update(has_answers=True)


class Migration(migrations.Migration):
    dependencies = [("forum", "0006_answers_and_merged_ideas")]

    operations = [migrations.RunPython(questions_have_answers, migrations.RunPython.noop)]
