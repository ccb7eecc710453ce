from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """The member's own budget: money in and out, review packs and share links (issue 16)."""

    name = "accounts.budget"
    label = "budget"
    verbose_name = "Budget"
