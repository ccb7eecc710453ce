from django.apps import AppConfig


class PasConfig(AppConfig):
    """Your PAs: the member's employer records (rota, timesheets, holiday, payroll, deadlines)."""

    name = "accounts.pas"
    label = "pas"
    verbose_name = "Your PAs"
    default_auto_field = "django.db.models.BigAutoField"
