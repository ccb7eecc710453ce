"""Any saved change to a guide or its addresses (the admin's too) makes the wiki's shared copies out of
date (mycarebudget.shared); wiki.services bumps for itself where it updates rows without saving them."""

from django.db.models.signals import post_delete, post_save

from mycarebudget import shared


def wiki_changed(sender, **kwargs) -> None:
    shared.bump("wiki")


def connect() -> None:
    for model in ("Page", "SlugRedirect"):
        sender = f"wiki.{model}"
        post_save.connect(wiki_changed, sender=sender, dispatch_uid=f"shared-save-{model}")
        post_delete.connect(wiki_changed, sender=sender, dispatch_uid=f"shared-delete-{model}")
