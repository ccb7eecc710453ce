from django.core.management.base import BaseCommand

from wiki.templatelib.starter import load_starter_templates


class Command(BaseCommand):
    help = "Publish the starter templates whose addresses are unused. Never overwrites an existing template."

    def handle(self, *args, **options):
        created = load_starter_templates()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(created)} starter templates."))
        else:
            self.stdout.write("Starter templates already loaded; nothing changed.")
