from django import template

from accounts.budget.figures import money as format_money

register = template.Library()


@register.filter
def money(pence) -> str:
    """Whole pence as pounds: {{ 123456|money }} -> £1,234.56."""
    if pence is None or pence == "":
        return ""
    return format_money(int(pence))
