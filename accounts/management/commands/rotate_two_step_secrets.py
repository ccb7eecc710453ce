from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.adapter import MFAAdapter


class Command(BaseCommand):
    help = ("After changing DJANGO_SECRET_KEY (with the old key in DJANGO_SECRET_KEY_FALLBACKS), re-encrypt "
            "every two-step secret under the new key. Then the old key can be dropped from the fallbacks.")

    def handle(self, *args, **options):
        adapter = MFAAdapter()
        rotated = 0
        failed = []
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().iterator():
                fields = [field for field in ("secret", "seed")  # TOTP secret, recovery-code seed
                          if isinstance(authenticator.data, dict) and field in authenticator.data]
                try:
                    plain = {field: adapter.decrypt(authenticator.data[field]) for field in fields}
                except ValueError:
                    failed.append(authenticator.pk)
                    continue
                if not fields:
                    continue
                authenticator.data.update({field: adapter.encrypt(value) for field, value in plain.items()})
                authenticator.save(update_fields=["data"])
                rotated += 1
            if failed:
                raise CommandError(f"{len(failed)} two-step secret(s) open under no configured key: put the old "
                                   "secret key in DJANGO_SECRET_KEY_FALLBACKS and run this again. Nothing changed.")
        self.stdout.write(self.style.SUCCESS(
            f"{rotated} two-step secret(s) re-encrypted under the current secret key. You can now remove the "
            "old key from DJANGO_SECRET_KEY_FALLBACKS."))
