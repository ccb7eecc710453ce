from django.core.management.base import BaseCommand

from wiki import services
from wiki.models import Page


class Command(BaseCommand):
    help = "Render again every guide article made by other code (run after a deploy, before serving)."

    def handle(self, *args, **options):
        made = 0
        for page in Page.objects.live().defer("body", "body_text").iterator():
            key = page.article_key
            services.article(page)
            made += page.article_key != key
        self.stdout.write(f"Rendered {made} guide article{'s' * (made != 1)} again." if made
                          else "Every guide article is up to date.")
