from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """A PA's name from the page's id-to-name map."""
    return mapping.get(key, "") if mapping else ""
