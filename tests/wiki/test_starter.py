import pytest
from django.core.management import call_command

from wiki import services
from wiki.models import EditProposal, Page
from wiki.starter import STARTER_DIR, STARTER_EMAIL, STARTER_SUMMARY, is_loader_version, starter_pages, starter_user

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


def _as_old_starter_version(publish, slug: str, body: str) -> Page:
    """Make a page look as an older `make run` left it: the loader's own version, with old text."""
    return publish(Page.objects.get(slug=slug), body=body, edit_summary=STARTER_SUMMARY)


def test_loader_publishes_a_correction_to_an_unedited_starter_page_as_a_new_version(publish):
    call_command("load_starter_guidance", verbosity=0)
    old = _as_old_starter_version(publish, "pa-training-and-dbs-checks", "You have to go through an umbrella body.\n")
    call_command("load_starter_guidance", verbosity=0)
    page = Page.objects.get(pk=old.pk)
    shipped = {starter.slug: starter for starter in starter_pages()}["pa-training-and-dbs-checks"]
    assert page.body == shipped.content["body"] and page.revision == old.revision + 1
    latest = page.versions.first()
    assert latest.edit_summary.startswith(f"{STARTER_SUMMARY} corrected: DBS") and latest.author is None
    call_command("load_starter_guidance", verbosity=0)  # nothing left to correct
    assert Page.objects.get(pk=old.pk).revision == page.revision


def test_loader_proposes_a_correction_to_a_community_edited_page_instead_of_overwriting(publish, user, moderator):
    call_command("load_starter_guidance", verbosity=0)
    page = publish(Page.objects.get(slug="glossary"), author=user, body="Community text.\n")
    call_command("load_starter_guidance", verbosity=0)
    call_command("load_starter_guidance", verbosity=0)
    page.refresh_from_db()
    assert page.body == "Community text.\n"
    proposal = EditProposal.objects.get(page=page)
    assert proposal.is_pending() and proposal.author.email == STARTER_EMAIL and not proposal.author.is_active
    assert proposal.body.startswith("This page is for") and proposal.edit_summary.startswith(STARTER_SUMMARY)
    # A moderator decides; a rejected correction is not proposed again.
    services.reject_edit(proposal=proposal, moderator=moderator, reason="Our wording is clearer")
    call_command("load_starter_guidance", verbosity=0)
    assert EditProposal.objects.filter(page=page).count() == 1


def test_an_approved_starter_correction_leaves_the_page_in_the_loaders_care(publish, user, moderator):
    call_command("load_starter_guidance", verbosity=0)
    page = publish(Page.objects.get(slug="glossary"), author=user, body="Community text.\n")
    call_command("load_starter_guidance", verbosity=0)
    services.approve_edit(proposal=EditProposal.objects.get(page=page), moderator=moderator)
    page.refresh_from_db()
    assert page.body.startswith("This page is for")
    assert is_loader_version(page.versions.select_related("author").first())


def test_loader_adds_new_starter_guides_to_an_existing_site():
    call_command("load_starter_guidance", verbosity=0)
    Page.objects.filter(slug="where-to-get-help").delete()
    call_command("load_starter_guidance", verbosity=0)
    assert Page.objects.filter(slug="where-to-get-help").exists()


def test_the_starter_account_cannot_sign_in(client):
    call_command("load_starter_guidance", verbosity=0)
    account = starter_user()
    assert not account.is_active and not account.has_usable_password()
