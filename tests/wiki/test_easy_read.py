"""Easy Read versions: pictures through the one sanitiser, links both ways, and the out-of-date notice."""

import re
from pathlib import Path

import bleach
import pytest
from django.conf import settings
from django.core.management import call_command

from mycarebudget.moderation.models import ModerationLogEntry
from mycarebudget.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, PICTOGRAMS, pictogram_url, render_markdown
from wiki import services
from wiki.models import EditProposal, Page
from wiki.starter import starter_pages

pytestmark = pytest.mark.django_db

MOST_READ = {"what-is-a-personal-health-budget", "who-can-get-a-personal-health-budget",
             "how-to-ask-for-a-personal-health-budget", "your-care-and-support-plan",
             "ways-to-manage-your-budget", "employing-personal-assistants"}
STALE = "The Easy Read version may be out of date"
HEDGES = re.compile(r"%|\bper ?cent\b|\b(may|might|perhaps|possibly|probably|usually|often|likely)\b", re.I)
PICTURE_FIRST = re.compile(r"^\{picture:[a-z]+\} ")


def test_a_short_code_places_a_pictogram_with_its_text_alternative():
    html = render_markdown("{picture:money} A budget is money from the NHS.")
    assert f'<img alt="Money" class="app-pictogram" height="64" src="{pictogram_url("money")}" width="64">' in html


@pytest.mark.parametrize("text", [
    "![tracker](https://evil.example/pixel.png)",
    "![](/static/pictograms/money.svg)",
    '<img src="https://evil.example/x.png" onerror="alert(1)">',
    "{picture:../../evil}",
    "{picture:nothing}",
])
def test_no_other_image_gets_through(text):
    assert "<img" not in render_markdown(text)


def test_the_sanitiser_itself_refuses_foreign_image_addresses():
    dirty = '<img src="https://evil.example/x.png" alt="Money" onerror="x()"><img src="/static/pictograms/yes.svg">'
    clean = bleach.clean(dirty, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, strip=True)
    assert "evil" not in clean and "onerror" not in clean and 'src="/static/pictograms/yes.svg"' in clean


def test_every_pictogram_is_drawn_with_a_title():
    folder = Path(settings.BASE_DIR) / "static" / "pictograms"
    assert pictogram_url("money").startswith(settings.STATIC_URL)
    for name, alternative in PICTOGRAMS.items():
        svg = (folder / f"{name}.svg").read_text()
        assert f"<title id=\"t\">{alternative}</title>" in svg and "<script" not in svg and "href" not in svg


def test_the_six_most_read_guides_have_easy_read_versions_written_to_the_rules():
    easy = {page.easy_read_of: page for page in starter_pages() if page.easy_read_of}
    assert set(easy) == MOST_READ
    for page in easy.values():
        body = page.content["body"]
        assert not HEDGES.search(body), page.slug
        points = [block for block in body.split("\n\n") if block.strip() and not block.startswith("## ")]
        assert all(PICTURE_FIRST.match(point) for point in points), page.slug


@pytest.fixture
def pair(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_starter_guidance", verbosity=0)
    easy = Page.objects.get(slug="ways-to-manage-your-budget-easy-read")
    return easy.easy_read_of, easy


def test_easy_read_and_standard_pages_link_both_ways(client, pair):
    standard, easy = pair
    assert easy.easy_read_checked_revision == standard.revision
    standard_html = client.get(standard.get_absolute_url()).content.decode()
    easy_html = client.get(easy.get_absolute_url()).content.decode()
    assert f'href="{easy.get_absolute_url()}">Easy Read version' in standard_html
    assert f'href="{standard.get_absolute_url()}">Standard version' in easy_html
    assert 'class="app-prose app-easy-read"' in easy_html and STALE not in standard_html + easy_html


def test_a_new_standard_version_flags_both_pages_until_a_moderator_confirms(client, pair, publish, moderator, user,
                                                                            django_capture_on_commit_callbacks):
    standard, easy = pair
    for url in (standard.get_absolute_url(), easy.get_absolute_url()):
        client.get(url)  # both pages cached before the change
    publish(standard, author=moderator, body=standard.body + "\nA new point.\n")
    for url in (standard.get_absolute_url(), easy.get_absolute_url()):
        assert STALE in client.get(url).content.decode(), url
    check = f"/wiki/{easy.slug}/easy-read-check/"
    client.force_login(user)
    assert client.post(check).status_code == 403
    client.force_login(moderator)
    assert "Confirm the Easy Read version is up to date" in client.get(check).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # cached copies are dropped once it commits
        assert client.post(check).status_code == 302
    client.logout()
    for url in (standard.get_absolute_url(), easy.get_absolute_url()):
        assert STALE not in client.get(url).content.decode(), url
    assert ModerationLogEntry.objects.filter(action__contains="Easy Read", moderator=moderator).count() == 1


def test_an_easy_read_page_has_its_own_history_and_moderation(client, pair, user):
    standard, easy = pair
    content = {name: getattr(easy, name) for name in
               ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
    proposal = services.propose_edit(page=easy, author=user, content={**content, "body": easy.body + "\nMore.\n"},
                                     edit_summary="One more point", base_revision=easy.revision)
    assert proposal.status == EditProposal.Status.PENDING
    easy.refresh_from_db()
    assert easy.body == content["body"]
    assert client.get(f"/wiki/{easy.slug}/history/").status_code == 200
    assert easy.versions.count() == 1 and standard.versions.count() == 1


def test_only_a_moderator_can_confirm_an_easy_read_page(pair, user, publish, moderator):
    from mycarebudget.moderation.powers import NotAModerator
    from wiki.easy_read import confirm_easy_read

    standard, easy = pair
    publish(standard, author=moderator, body=standard.body + "\nA new point.\n")
    with pytest.raises(NotAModerator):
        confirm_easy_read(easy_read=easy, moderator=user)
    easy.refresh_from_db()
    assert easy.easy_read_is_out_of_date()
