from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "mycarebudget.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from mycarebudget import shared

        # What the moderators' counts are made from (digest.waiting): a change shows in them at once.
        shared.bump_on_change("moderation", "forum.Post", "forum.Report", "wiki.EditProposal", "wiki.TemplateProposal")
