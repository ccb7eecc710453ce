"""The starter templates in wiki/starter_templates/*.md, loaded without overwriting anyone's edits."""

import datetime
from pathlib import Path

from wiki.templatelib import services
from wiki.templatelib.models import Template, TemplateSlugRedirect

STARTER_DIR = Path(__file__).resolve().parent.parent / "starter_templates"
STARTER_SUMMARY = "Starter template"
BODY_SEPARATOR = "\n=== template ===\n"
SINGLE_KEYS = {"title", "slug", "summary", "job", "suits", "shape", "layout", "document_kind", "last_checked",
               "next_review"}


def parse_starter_file(path: Path) -> dict:
    """A header of `key: value` lines (source and field repeat), `---`, the about text,
    a line `=== template ===`, then the template itself."""
    header, separator, rest = path.read_text(encoding="utf-8").partition("\n---\n")
    about, body_separator, body = rest.partition(BODY_SEPARATOR)
    if not separator or not body_separator:
        raise ValueError(f"{path.name}: needs a --- line and a === template === line")
    content: dict = {"sources": [], "fields": [], "layout": "", "suits": "", "document_kind": "other"}
    for line in header.splitlines():
        key, _, value = line.partition(": ")
        if key == "source":
            content["sources"].append(value.strip())
        elif key == "field":
            content["fields"].append(value.strip())
        elif key in SINGLE_KEYS:
            content[key] = value.strip()
        elif line.strip():
            raise ValueError(f"{path.name}: unexpected header line {line!r}")
    content["sources"] = "\n".join(content["sources"])
    content["fields"] = "\n".join(content["fields"])
    content["last_checked"] = datetime.date.fromisoformat(content["last_checked"])
    content["next_review"] = datetime.date.fromisoformat(content["next_review"])
    content["about"] = about.strip() + "\n"
    content["body"] = body.strip() + "\n"
    return content


def starter_templates() -> list[dict]:
    return [parse_starter_file(path) for path in sorted(STARTER_DIR.glob("*.md"))]


def load_starter_templates(only: set[str] | None = None) -> list[str]:
    """Publish each starter template whose address is unused. Returns the slugs created.

    A template that exists (edited or not), was renamed away from the address or was
    retired is left exactly as the community has it.
    """
    used = set(Template.objects.values_list("slug", flat=True)) | set(
        TemplateSlugRedirect.objects.values_list("old_slug", flat=True))
    created = []
    for content in starter_templates():
        if content["slug"] in used or (only is not None and content["slug"] not in only):
            continue
        services.publish_template(template=None, content=content, author=None, edit_summary=STARTER_SUMMARY)
        created.append(content["slug"])
    return created
