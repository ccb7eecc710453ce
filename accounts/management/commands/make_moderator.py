from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from mycarebudget.moderation.powers import MODERATORS_GROUP


class Command(BaseCommand):
    help = "Add an existing member (by email) to the Moderators group."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            raise CommandError(f"No member has the email address {email}") from None
        group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"{user.display_name} is now a moderator."))
