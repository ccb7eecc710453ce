"""The starter guides shipped in wiki/starter/*.md, and loading them without overwriting anyone."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wiki import services
from wiki.models import Page, SlugRedirect

STARTER_DIR = Path(__file__).resolve().parent / "starter"
STARTER_SUMMARY = "Starter guidance"


@dataclass
class StarterPage:
    content: dict

    @property
    def slug(self) -> str:
        return self.content["slug"]


def parse_starter_file(path: Path) -> StarterPage:
    """A header of `key: value` lines (source repeats), a line `---`, then the Markdown body."""
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise ValueError(f"{path.name}: no --- line between the header and the body")
    fields: dict = {"sources": []}
    for line in header.splitlines():
        key, _, value = line.partition(": ")
        if key == "source":
            fields["sources"].append(value.strip())
        elif key in {"title", "slug", "topic", "summary", "last_checked", "next_review"}:
            fields[key] = value.strip()
        elif line.strip():
            raise ValueError(f"{path.name}: unexpected header line {line!r}")
    fields["sources"] = "\n".join(fields["sources"])
    fields["last_checked"] = datetime.date.fromisoformat(fields["last_checked"])
    fields["next_review"] = datetime.date.fromisoformat(fields["next_review"])
    fields["body"] = body.strip() + "\n"
    return StarterPage(content=fields)


def starter_pages() -> list[StarterPage]:
    return [parse_starter_file(path) for path in sorted(STARTER_DIR.glob("*.md"))]


def load_starter_guidance() -> list[str]:
    """Publish each starter page whose address is unused. Returns the slugs created.

    A page that exists, was renamed away from the address, or was retired is left
    exactly as the community has it: this never overwrites anything.
    """
    created = []
    pages = starter_pages()
    used = set(Page.objects.values_list("slug", flat=True)) | set(
        SlugRedirect.objects.values_list("old_slug", flat=True))
    for starter in pages:
        if starter.slug in used:
            continue
        with transaction.atomic():
            services._publish(page=None, content=starter.content, author=None, edit_summary=STARTER_SUMMARY)
        created.append(starter.slug)
    if created:
        # Links between starter pages were written before their targets existed.
        with transaction.atomic():
            for page in Page.objects.filter(slug__in=created):
                services._refresh_pages_linking_to(page)
    return created
