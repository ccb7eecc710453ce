from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.pas.employer import send_digests


class Command(BaseCommand):
    help = "Queue today's employer-deadline reminder digests (run once a day, e.g. from cron at 07:00)."

    def handle(self, *args, **options):
        count = send_digests(today=timezone.localdate())
        self.stdout.write(f"{count} reminder digest{'s' if count != 1 else ''} queued")
