from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "wiki"
    verbose_name = "Wiki"

    def ready(self) -> None:
        from mycarebudget import shared

        # Saving a guide or an address anywhere (the admin too) makes the guides' shared copies out of date;
        # wiki.services bumps for itself where it updates rows without saving them.
        shared.bump_on_change("wiki", "wiki.Page", "wiki.SlugRedirect")
