"""One form renderer, so every field renders with the same accessible markup."""

from django import forms
from django.forms.renderers import TemplatesSetting


class AccessibleBoundField(forms.BoundField):
    """Points a field at its hint and its error message (includes/field.html's ids), for screen readers.

    Django already sets aria-invalid and aria-describedby; this keeps its ids in
    step with our template's `<id>-error`, so no reference points at nothing.
    """

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if not described:
            return described
        return described.replace(f"{self.auto_id}_error", f"{self.auto_id}-error")


class AccessibleFormRenderer(TemplatesSetting):
    field_template_name = "includes/field.html"
    bound_field_class = AccessibleBoundField
