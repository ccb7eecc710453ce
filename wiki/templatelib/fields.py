"""Named fields: declared one per line, written in a template as {{ name }} markers."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

MARKER = re.compile(r"\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}")
ANY_MARKER = re.compile(r"\{\{.*?\}\}")
FIELD_TYPES = ("text", "long", "date", "money", "number")
MAX_FIELDS = 30


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"

    @property
    def blank(self) -> str:
        """What an unfilled copy shows where the value goes."""
        return f"[{self.label}]"


def parse_fields(spec: str) -> list[Field]:
    """`name | Label | type` per line. Raises ValidationError({"fields": ...}) naming the bad line."""
    fields: list[Field] = []
    seen = set()
    for number, line in enumerate(spec.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        name, label = parts[0], parts[1] if len(parts) > 1 else ""
        kind = (parts[2] if len(parts) > 2 else "text") or "text"
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name) or not label:
            raise ValidationError({"fields": f"Line {number} of the fields: write it as name | Label | type, "
                                              "with a name of lower-case letters, numbers and underscores"})
        if kind not in FIELD_TYPES:
            raise ValidationError({"fields": f"Line {number} of the fields: the type must be one of "
                                              f"{', '.join(FIELD_TYPES)}"})
        if name in seen:
            raise ValidationError({"fields": f"Line {number} of the fields: “{name}” is declared twice"})
        seen.add(name)
        fields.append(Field(name=name, label=label[:80], type=kind))
    if len(fields) > MAX_FIELDS:
        raise ValidationError({"fields": f"A template can have at most {MAX_FIELDS} fields"})
    return fields


def check_markers(text: str, fields: list[Field]) -> None:
    """Every {{ marker }} in the text must be a declared field."""
    names = {field.name for field in fields}
    for found in ANY_MARKER.findall(text):
        match = MARKER.fullmatch(found)
        if match is None or match.group(1) not in names:
            raise ValidationError({"body": f"The text uses {found}, which is not one of the fields. Add it to "
                                           "the fields, or correct the name"})


def format_value(field: Field, value) -> str:
    """A cleaned form value as it reads in the document."""
    if value in (None, ""):
        return field.blank
    if field.type == "date" and isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if field.type == "money":
        return f"£{Decimal(value):,.2f}"
    if field.type == "number":
        return f"{Decimal(value).normalize():f}"
    return str(value)


def fill(text: str, fields: list[Field], values: dict | None = None) -> str:
    """Put values (or the blanks of an unfilled copy) where the markers are."""
    by_name = {field.name: field for field in fields}
    values = values or {}

    def replace(match: re.Match) -> str:
        field = by_name.get(match.group(1))
        if field is None:
            return match.group(0)
        return format_value(field, values.get(field.name))

    return MARKER.sub(replace, text)


def unfilled_markers(text: str, fields: list[Field]) -> list[str]:
    """Markers or blanks left in filled text: the check that a filled copy is complete."""
    left = ANY_MARKER.findall(text)
    left += [field.blank for field in fields if field.blank in text]
    return left
