"""An error summary's link for a radio group goes to its first radio (GOV.UK's behaviour, with no JavaScript):
one rule in the form renderer's bound field, for every radio group. Chromium checks the focus itself
(tests/browser/test_forum_answers_and_merges.py)."""

import pytest
from django.urls import reverse

from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.accounts.helpers import pdf
from tests.factories import UserFactory
from tests.forum.factories import member, reply, start

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[str]:
    summary = html[html.index('class="govuk-error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    return [part.split('"')[0] for part in summary.split('<a href="#')[1:]]


def test_report_reason_links_to_its_first_radio(client):
    post = reply(start())
    client.force_login(member())
    html = client.post(reverse("forum:post_report", args=[post.pk]), {}).text
    assert summary_links(html) == ["id_reason_0"]
    assert 'id="id_reason_0"' in html


def test_suspension_length_links_to_its_first_radio(client, moderator):
    client.force_login(moderator)
    html = client.post(reverse("forum:member_suspend", args=[UserFactory().pk]), {}).text
    assert summary_links(html) == ["id_length_0", "id_reason"]  # a text field still links to itself
    assert 'id="id_length_0"' in html and 'id="id_reason"' in html


def test_document_kind_links_to_its_first_radio(client, document_root):  # noqa: F811
    client.force_login(UserFactory())
    html = client.post(reverse("accounts:document_upload"), {"file": pdf()}).text
    assert "id_kind_0" in summary_links(html)
    assert 'id="id_kind_0"' in html
