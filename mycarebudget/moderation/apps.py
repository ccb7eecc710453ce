from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "mycarebudget.moderation"
    label = "moderation"
    verbose_name = "Moderation"
