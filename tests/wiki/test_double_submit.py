"""A guide edit, a new guide or a template proposal sent twice (a double click, or sending again
after a slow answer) is stored once, and the second request lands where the first did (CO-03)."""

import re

import pytest
from django.urls import reverse

from tests.races import at_once, signed_in_clients
from tests.wiki.conftest import form_data
from tests.wiki.test_templates import _form_data as template_form_data
from wiki import services
from wiki.models import EditProposal, Page, PageVersion
from wiki.templatelib import services as template_services
from wiki.templatelib.models import Template, TemplateProposal

pytestmark = pytest.mark.django_db

_KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})"')


def key_from(client, url: str) -> str:
    """The hidden key the form page gives, as a browser would send it back."""
    found = _KEY.search(client.get(url).content.decode())
    assert found, "the form has no submission_key"
    return found.group(1)


def send_twice(client, url: str, data: dict) -> tuple:
    data = {**data, "submission_key": key_from(client, url)}
    return client.post(url, data), client.post(url, data)


def test_an_edit_sent_twice_is_one_proposal(client, user, make_page):
    page = make_page()
    client.force_login(user)
    first, second = send_twice(client, f"/wiki/{page.slug}/edit/", form_data(page, body="## New\n\nOnce.\n"))
    proposal = EditProposal.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("wiki:my_edit_detail", args=[proposal.pk])
    # Not "You are sending changes too quickly": the second send is the same edit, not a new one.
    assert "too quickly" not in client.get(second["Location"]).content.decode()


def test_a_new_guide_sent_twice_is_one_proposal(client, user):
    client.force_login(user)
    first, second = send_twice(client, "/wiki/new/", form_data(None))
    assert EditProposal.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_moderators_new_guide_sent_twice_is_one_page_with_one_version(client, moderator):
    client.force_login(moderator)
    first, second = send_twice(client, "/wiki/new/", form_data(None))
    page = Page.objects.get()
    assert PageVersion.objects.filter(page=page).count() == 1 and page.revision == 1
    assert first["Location"] == second["Location"] == page.get_absolute_url()


def test_a_template_proposal_sent_twice_is_one_proposal(client, user):
    client.force_login(user)
    first, second = send_twice(client, reverse("templatelib:template_new"), template_form_data())
    assert TemplateProposal.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]


def test_each_time_the_form_is_opened_it_is_a_new_submission(client, user, settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    client.force_login(user)
    for title in ("First guide", "Second guide"):
        data = {**form_data(None, title=title, slug=title.lower().replace(" ", "-")),
                "submission_key": key_from(client, "/wiki/new/")}
        assert client.post("/wiki/new/", data).status_code == 302
    assert EditProposal.objects.count() == 2


def test_the_key_is_kept_through_a_preview(client, user):
    client.force_login(user)
    key = key_from(client, "/wiki/new/")
    response = client.post("/wiki/new/", {**form_data(None), "submission_key": key, "action": "preview"})
    assert f'name="submission_key" value="{key}"' in response.content.decode()


# Two requests at once, on PostgreSQL with two real connections ------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(3))
def test_a_new_guide_sent_twice_at_once_is_one_proposal(monkeypatch, user, trial):
    """No row to lock for a new guide: the unique constraint decides, the loser returns the winner's."""
    data = {**form_data(None), "submission_key": f"{trial:032x}"}
    clients = signed_in_clients(user)
    responses = at_once(monkeypatch, services, "check_may_propose",
                         [lambda c=c: c.post("/wiki/new/", data) for c in clients])
    proposal = EditProposal.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reverse("wiki:my_edit_detail", args=[proposal.pk])}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_moderators_edit_sent_twice_at_once_is_one_version(monkeypatch, moderator, make_page):
    page = make_page()
    data = {**form_data(page, body="## New\n\nPublished once.\n"), "submission_key": "e" * 32}
    clients = signed_in_clients(moderator)
    responses = at_once(monkeypatch, services, "check_may_propose",
                         [lambda c=c: c.post(f"/wiki/{page.slug}/edit/", data) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    assert EditProposal.objects.count() == 1
    assert list(PageVersion.objects.filter(page=page).values_list("number", flat=True).order_by("number")) == [1, 2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_template_proposal_sent_twice_at_once_is_one_proposal(monkeypatch, user):
    data = {**template_form_data(), "submission_key": "f" * 32}
    clients = signed_in_clients(user)
    responses = at_once(monkeypatch, template_services, "check_content",
                         [lambda c=c: c.post(reverse("templatelib:template_new"), data) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    assert TemplateProposal.objects.count() == 1 and not Template.objects.exists()


def test_the_same_change_sent_again_with_a_new_key_is_stored_once(client, make_page):
    """Back, then Send again: the form comes back with a new key, but the change is the same
    (found by a first user). A different change from the same member is still stored."""
    from tests.factories import UserFactory
    from tests.wiki.conftest import form_data
    from wiki.models import EditProposal

    page = make_page()
    client.force_login(UserFactory())
    data = form_data(page, body=page.body + "\nOne more line.\n")
    first = client.post(f"/wiki/{page.slug}/edit/", {**data, "submission_key": "a" * 32})
    again = client.post(f"/wiki/{page.slug}/edit/", {**data, "submission_key": "b" * 32})
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert EditProposal.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_twin_that_checks_the_limits_after_the_first_was_stored_returns_it(monkeypatch, user):
    """The rate limit would count the first send against its twin ("too quickly"): the twin finds it instead."""
    import threading
    import time

    from django.db import connection

    data = {**form_data(None), "submission_key": "f" * 32}
    barrier, original, codes = threading.Barrier(2, timeout=20), services.check_may_propose, {}

    def held(*args, **kwargs):
        barrier.wait()
        if threading.current_thread().name == "late":
            time.sleep(1)  # the other one stores its proposal and commits first
        return original(*args, **kwargs)

    def send(name, client):
        try:
            codes[name] = client.post("/wiki/new/", data).status_code
        finally:
            connection.close()

    monkeypatch.setattr(services, "check_may_propose", held)
    threads = [threading.Thread(target=send, args=(name, client), name=name)
               for name, client in zip(("early", "late"), signed_in_clients(user), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert EditProposal.objects.count() == 1 and codes == {"early": 302, "late": 302}
