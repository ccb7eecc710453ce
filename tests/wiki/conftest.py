import datetime

import pytest

from wiki import services
from wiki.models import Page


def page_content(**overrides) -> dict:
    title = overrides.get("title", "Employing a personal assistant")
    content = {
        "title": title,
        "slug": overrides.get("slug", title.lower().replace(" ", "-")),
        "summary": "What it means to employ someone with your budget.",
        "topic": "employing-a-pa",
        "body": "## Before you start\n\nYou become an employer.\n\nYou need insurance.\n\n## Pay\n\nUse payroll.\n",
        "sources": "NHS England, Personal health budgets | https://www.england.nhs.uk/",
        "last_checked": datetime.date(2026, 11, 1),
        "next_review": datetime.date(2027, 5, 1),
    }
    content.update(overrides)
    return content


@pytest.fixture
def make_page(db, django_capture_on_commit_callbacks):
    """Publish a page, running what would run after commit (cache drops, emails)."""

    def make(author=None, edit_summary="First version", **overrides) -> Page:
        with django_capture_on_commit_callbacks(execute=True):
            version = services._publish(page=None, content=page_content(**overrides), author=author,
                                        edit_summary=edit_summary)
        return Page.objects.get(pk=version.page_id)

    return make


@pytest.fixture
def publish(db, django_capture_on_commit_callbacks):
    def do(page: Page, author=None, edit_summary="An edit", **changes) -> Page:
        content = {name: getattr(page, name) for name in
                   ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
        content.update(changes)
        page = Page.objects.get(pk=page.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services._publish(page=page, content=content, author=author, edit_summary=edit_summary)
        return Page.objects.get(pk=page.pk)

    return do


def form_data(page: Page | None = None, **overrides) -> dict:
    data = page_content() if page is None else {
        name: getattr(page, name) for name in
        ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
    data = {**data, "edit_summary": "Fixed a typo", **overrides}
    if page is not None and "base_revision" not in overrides:
        data["base_revision"] = page.revision
    return {key: (value.isoformat() if isinstance(value, datetime.date) else value) for key, value in data.items()}
