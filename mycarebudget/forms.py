"""One form renderer, so every field renders with the same accessible markup."""

from django import forms
from django.forms.renderers import TemplatesSetting


class AccessibleBoundField(forms.BoundField):
    """Points a field with errors at its error message, for screen readers."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            ids = [attrs.get("aria-describedby", ""), f"{self.auto_id}-error"]
            attrs["aria-describedby"] = " ".join(filter(None, ids))
            attrs["aria-invalid"] = "true"
        return attrs


class AccessibleFormRenderer(TemplatesSetting):
    field_template_name = "includes/field.html"
    bound_field_class = AccessibleBoundField
