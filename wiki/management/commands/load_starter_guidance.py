from django.core.management.base import BaseCommand

from wiki.starter import load_starter_guidance


class Command(BaseCommand):
    help = ("Publish new starter guides and bring unedited starter guides up to date. A guide the community "
            "has edited is never overwritten: its correction goes to the moderation queue.")

    def handle(self, *args, **options):
        result = load_starter_guidance()
        for label, slugs in (("Added", result.created), ("Corrected", result.corrected),
                             ("Proposed a correction (community-edited, waiting for a moderator) to", result.proposed)):
            if slugs:
                self.stdout.write(self.style.SUCCESS(f"{label} {len(slugs)} starter guides: {', '.join(slugs)}"))
        if not (result.created or result.corrected or result.proposed):
            self.stdout.write("Starter guides are up to date; nothing changed.")
