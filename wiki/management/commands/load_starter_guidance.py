from django.core.management.base import BaseCommand

from wiki.starter import load_starter_guidance


class Command(BaseCommand):
    help = "Publish the starter guides whose addresses are unused. Never overwrites an existing page."

    def handle(self, *args, **options):
        created = load_starter_guidance()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(created)} starter guides."))
        else:
            self.stdout.write("Starter guides already loaded; nothing changed.")
