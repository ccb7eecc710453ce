from django.db import migrations

CATEGORIES = [
    {"slug": "ideas", "name": "Ideas for the site", "position": 1, "is_ideas": True,
     "description": "Propose what MyCareBudget should do next, support the ideas you want, "
                    "and follow what happens to each one."},
    {"slug": "questions", "name": "Questions and answers", "position": 2,
     "description": "Ask about getting, planning and managing a personal health budget, "
                    "and help others with what you know."},
    {"slug": "employing-a-pa", "name": "Employing a PA", "position": 3,
     "description": "Recruiting, paying and working with personal assistants: contracts, payroll, "
                    "insurance and training."},
    {"slug": "your-story", "name": "Your story", "position": 4,
     "description": "Share how your budget works for you or the person you care for, what went well "
                    "and what did not."},
    {"slug": "site-news", "name": "Site news", "position": 5, "moderators_only_topics": True,
     "description": "News about MyCareBudget from the moderators. Everyone can reply."},
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for values in CATEGORIES:
        values = dict(values)
        Category.objects.get_or_create(slug=values.pop("slug"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial_forum")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
