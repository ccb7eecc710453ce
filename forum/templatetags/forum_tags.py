from django import template
from django.utils.formats import date_format
from django.utils.timezone import localtime

from mycarebudget.text import stored_html

register = template.Library()


@register.filter
def post_html(post) -> str:
    """A post's stored render_markdown output (rendered when it was saved, never per request)."""
    return stored_html(post.body_html)


@register.filter
def when(value) -> str:
    """GOV.UK style: 23 November 2026 at 7:22pm (local time)."""
    if not value:
        return ""
    local = localtime(value)
    return f"{date_format(local, 'j F Y')} at {date_format(local, 'g:iA').lower()}"
