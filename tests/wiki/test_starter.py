import pytest
from django.core.management import call_command

from wiki.models import Page
from wiki.starter import STARTER_DIR, starter_pages

pytestmark = pytest.mark.django_db

SUGGESTED = [
    "what-is-a-personal-health-budget", "who-can-get-a-personal-health-budget",
    "how-to-ask-for-a-personal-health-budget", "phb-and-continuing-healthcare", "phb-and-section-117-aftercare",
    "children-ehcp-and-integrated-budgets", "personal-wheelchair-budgets", "your-care-and-support-plan",
    "how-your-budget-is-set", "ways-to-manage-your-budget", "direct-payments-accounts-and-audits",
    "what-a-phb-can-pay-for", "reviews-and-changes-to-your-budget", "employing-personal-assistants",
    "payroll-pensions-and-insurance", "pa-training-and-dbs-checks", "complaints-and-appeals", "outside-england",
    "phb-evidence-and-statistics", "glossary",
]


def test_every_suggested_starter_page_is_there_with_sources_and_dates():
    pages = {page.slug: page for page in starter_pages()}
    assert set(SUGGESTED) <= set(pages)
    for page in pages.values():
        assert page.content["sources"], page.slug
        assert page.content["last_checked"] and page.content["next_review"]
        assert not page.content["body"].lstrip().startswith("# ")


def test_loading_twice_creates_once_and_links_resolve(client):
    call_command("load_starter_guidance", verbosity=0)
    call_command("load_starter_guidance", verbosity=0)
    assert Page.objects.count() == len(list(STARTER_DIR.glob("*.md")))
    assert not Page.objects.filter(body_html__contains="app-missing-link").exists()
    assert client.get("/wiki/what-is-a-personal-health-budget/").status_code == 200


def test_loading_never_overwrites_a_community_edit(publish):
    call_command("load_starter_guidance", verbosity=0)
    page = Page.objects.get(slug="glossary")
    publish(page, body="Community text.\n")
    call_command("load_starter_guidance", verbosity=0)
    page.refresh_from_db()
    assert page.body == "Community text.\n" and page.revision == 2


def test_renamed_starter_page_is_not_recreated(publish):
    call_command("load_starter_guidance", verbosity=0)
    publish(Page.objects.get(slug="glossary"), slug="words-explained")
    call_command("load_starter_guidance", verbosity=0)
    assert not Page.objects.filter(slug="glossary").exists()


def test_home_page_start_here_links_all_resolve(client):
    import re

    call_command("load_starter_guidance", verbosity=0)
    html = client.get("/").content.decode()
    links = re.findall(r'href="(/wiki/[a-z0-9-]+/)"', html)
    assert len(links) >= 6
    for link in links:
        assert client.get(link).status_code == 200, link
