from django import template

register = template.Library()


@register.filter
def groups_of_four(value) -> str:
    """'JBSW Y3DP EHPK 3PXP': a set-up key people can copy by hand without losing their place."""
    text = str(value or "")
    return " ".join(text[start:start + 4] for start in range(0, len(text), 4))
