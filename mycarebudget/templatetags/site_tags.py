from django import template

from mycarebudget.text import stored_html

register = template.Library()


@register.filter
def rendered(value):
    """Put stored render_markdown output on the page (never any other text)."""
    return stored_html(value)
