"""Small helpers for the guides' templates."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    """The full address of a site path, for rel=canonical, print and links others copy."""
    return f"{settings.SITE_URL}{path}"


@register.filter
def iso_datetime(value) -> str:
    """A <time datetime> value to the second: HTML's validator refuses microseconds."""
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
