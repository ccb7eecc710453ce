"""Proposing, moderating, conflicts and bad input, through the web pages."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from mycarebudget.moderation.models import ModerationLogEntry
from tests.wiki.conftest import form_data
from wiki import services
from wiki.models import EditProposal, Page

pytestmark = pytest.mark.django_db


def test_editing_needs_sign_in(client, make_page):
    page = make_page()
    response = client.get(f"/wiki/{page.slug}/edit/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_edit_form_carries_the_version_it_started_from(client, user, make_page):
    page = make_page()
    client.force_login(user)
    html = client.get(f"/wiki/{page.slug}/edit/").content.decode()
    assert 'name="base_revision" value="1"' in html
    assert "A moderator will check your change" in html


def test_members_edit_waits_for_review_and_public_sees_current(client, user, make_page):
    page = make_page()
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="## New\n\nProposed text.\n"))
    proposal = EditProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/wiki/my-edits/{proposal.pk}/"
    assert proposal.is_pending() and proposal.author == user
    client.logout()
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Proposed text." not in html and "You become an employer." in html
    assert Page.objects.get(pk=page.pk).revision == 1


def test_moderators_own_edit_publishes_at_once(client, moderator, make_page):
    page = make_page()
    client.force_login(moderator)
    client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="## New\n\nPublished text.\n"))
    page.refresh_from_db()
    assert page.revision == 2 and "Published text." in page.body_html
    assert EditProposal.objects.get().status == "approved"


def test_new_page_proposal_then_approval(client, user, moderator):
    client.force_login(user)
    data = form_data(None, title="Holiday pay", slug="holiday-pay", body="PAs get paid holiday.\n")
    assert client.post("/wiki/new/", data).status_code == 302
    assert client.get("/wiki/holiday-pay/").status_code == 404
    proposal = EditProposal.objects.get()
    client.force_login(moderator)
    client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": ""})
    assert client.get("/wiki/holiday-pay/").status_code == 200


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "Enter a title"),
    ("title", "   ", "Enter a title"),
    ("slug", "Not A Slug!", "Web address can only have lower-case letters, numbers and hyphens"),
    ("slug", "new", "That web address is used by the site itself"),
    ("body", "", "Enter the page text"),
    ("body", "x" * 60_001, "Page text must be 60,000 characters or fewer"),
    ("edit_summary", "", "Say what you changed, in a few words"),
    ("last_checked", "2026-13-45", "Enter a real date"),
    ("sources", "NHS | javascript:alert(1)", "is not a web address"),
])
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_text(client, user, make_page, field, value,
                                                                        message):
    page = make_page()
    client.force_login(user)
    data = form_data(page, **{field: value}, summary="My carefully written summary")
    response = client.post(f"/wiki/{page.slug}/edit/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}-error"' in html and f'aria-describedby="id_{field}' in html or "aria-describedby" in html
    assert "There is a problem" in html and html.count(message) >= 2  # summary and field
    assert "<title>Error: " in html
    assert "My carefully written summary" in html
    assert EditProposal.objects.count() == 0


def test_slug_taken_by_another_page_is_refused(client, user, make_page):
    make_page(title="Other", slug="other")
    page = make_page()
    client.force_login(user)
    html = client.post(f"/wiki/{page.slug}/edit/", form_data(page, slug="other")).content.decode()
    assert "Another page already uses that web address" in html


def test_old_address_of_another_page_is_taken(client, user, make_page, publish):
    other = make_page(title="Other", slug="other")
    publish(other, slug="other-renamed")
    client.force_login(user)
    html = client.post("/wiki/new/", form_data(None, slug="other")).content.decode()
    assert "used to belong to another page" in html


def test_edits_that_do_not_overlap_merge_automatically(client, user, moderator, make_page, publish):
    page = make_page()
    publish(page, body=page.body.replace("## Before you start", "## Before you begin"))
    client.force_login(user)
    stale = form_data(page, base_revision=1, body=page.body.replace("Use payroll.", "Use a payroll provider."))
    client.post(f"/wiki/{page.slug}/edit/", stale)
    proposal = EditProposal.objects.get()
    assert "## Before you begin" in proposal.body and "Use a payroll provider." in proposal.body
    assert proposal.base_revision == 2


@pytest.mark.parametrize("addition", [" Ask them to help you write a letter.", "\n- Healthwatch can help too."])
def test_adding_to_the_end_merges_with_a_change_at_the_start(client, user, moderator, addition):
    # The starter text ends with a line break; text sent from the edit form does not.
    call_command("load_starter_guidance", verbosity=0)
    page = Page.objects.get(slug="complaints-and-appeals")
    alices_form = form_data(page)
    first = page.body.split("\n\n")[0]
    client.force_login(moderator)
    client.post(f"/wiki/{page.slug}/edit/", form_data(page, body=page.body.replace(first, first + " Mo's words.")))
    assert Page.objects.get(pk=page.pk).revision == 2
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", {**alices_form, "body": page.body.rstrip("\n") + addition})
    assert "in the same place as your change" not in response.content.decode()
    proposal = EditProposal.objects.get(author=user)
    assert "Mo's words." in proposal.body and proposal.body.endswith(addition)
    assert proposal.base_revision == 2


def test_overlapping_edit_shows_the_conflict_and_keeps_the_authors_text(client, user, make_page, publish):
    page = make_page()
    publish(page, body=page.body.replace("You need insurance.", "You need employer's liability insurance."))
    client.force_login(user)
    mine = page.body.replace("You need insurance.", "You must buy insurance before day one.")
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, base_revision=1, body=mine))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This page changed while you were editing it" in html
    assert "You must buy insurance before day one." in html  # their text, kept in the form
    assert "employer&#x27;s liability insurance" in html  # the current text, shown
    assert 'name="base_revision" value="2"' in html
    assert EditProposal.objects.count() == 0


def test_moderation_queue_is_for_moderators_only(client, user):
    client.force_login(user)
    assert client.get("/moderation/").status_code == 403


def test_non_moderator_cannot_approve(client, user, make_page):
    page = make_page()
    author = user
    client.force_login(author)
    client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="Mine.\n"))
    proposal = EditProposal.objects.get()
    assert client.post(f"/moderation/edits/{proposal.pk}/approve/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.is_pending()


def test_approving_by_get_is_refused(client, moderator, make_page):
    page = make_page()
    client.force_login(moderator)
    assert client.get("/moderation/edits/1/approve/").status_code == 405
    assert page.revision == 1


def _pending(client, author, page, **changes) -> EditProposal:
    client.force_login(author)
    client.post(f"/wiki/{page.slug}/edit/", form_data(page, **changes))
    client.logout()
    return EditProposal.objects.latest("pk")


def test_moderator_sees_the_diff_and_approves_from_the_queue(client, user, moderator, make_page,
                                                             django_capture_on_commit_callbacks):
    page = make_page()
    proposal = _pending(client, user, page, body=page.body.replace("Use payroll.", "Use a payroll service."),
                        edit_summary="Clearer wording")
    client.force_login(moderator)
    queue = client.get("/moderation/").content.decode()
    assert "Clearer wording" in queue and user.display_name in queue
    review = client.get(f"/moderation/edits/{proposal.pk}/").content.decode()
    assert "app-diff__removed" in review and "Use a payroll service." in review
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": "Thanks"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.revision == 2 and "Use a payroll service." in page.body
    assert page.versions.get(number=2).author == user
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "is published" in mail.outbox[0].subject
    assert f"now live:\n{settings.SITE_URL}/wiki/{page.slug}/\n" in mail.outbox[0].body  # the guide itself
    assert ModerationLogEntry.objects.filter(moderator=moderator, action="approved an edit").exists()


def test_rejecting_needs_a_reason_and_tells_the_author(client, user, moderator, make_page,
                                                       django_capture_on_commit_callbacks):
    page = make_page()
    proposal = _pending(client, user, page, body="Spam.\n")
    client.force_login(moderator)
    response = client.post(f"/moderation/edits/{proposal.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "Tell the author why their edit was not accepted" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/edits/{proposal.pk}/reject/", {"reason": "This is not guidance."})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.decision_reason == "This is not guidance."
    assert "not accepted" in mail.outbox[0].subject and "This is not guidance." in mail.outbox[0].body
    assert Page.objects.get(pk=page.pk).revision == 1


def test_second_decision_is_refused_clearly(client, user, moderator, make_page):
    page = make_page()
    proposal = _pending(client, user, page, body="Better.\n")
    client.force_login(moderator)
    client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": ""})
    response = client.post(f"/moderation/edits/{proposal.pk}/reject/", {"reason": "Too late"}, follow=True)
    assert "already published" in response.content.decode()
    assert Page.objects.get(pk=page.pk).revision == 2


def test_failing_mail_server_never_fails_the_decision(client, user, moderator, make_page, settings,
                                                      django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": "tests.wiki.test_editing.BrokenMailer"}}
    page = make_page()
    proposal = _pending(client, user, page, body="Better.\n")
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": ""})
    assert any("queue_email" in callback.__qualname__ for callback in callbacks)  # it was tried, and failed
    assert response.status_code == 302
    assert Page.objects.get(pk=page.pk).revision == 2


class BrokenMailer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")

    def open(self):
        raise ConnectionRefusedError("mail server down")

    def close(self):
        pass


def test_my_edits_lists_the_authors_edits_and_their_state(client, user, make_page):
    page = make_page()
    proposal = _pending(client, user, page, body="Mine.\n", edit_summary="My first edit")
    client.force_login(user)
    html = client.get("/wiki/my-edits/").content.decode()
    assert "My first edit" in html and "Waiting for review" in html
    assert client.get(f"/wiki/my-edits/{proposal.pk}/").status_code == 200


def test_another_members_edit_is_404(client, user, make_page):
    from tests.factories import UserFactory

    page = make_page()
    proposal = _pending(client, user, page, body="Mine.\n")
    client.force_login(UserFactory())
    assert client.get(f"/wiki/my-edits/{proposal.pk}/").status_code == 404
    assert client.post(f"/wiki/my-edits/{proposal.pk}/withdraw/").status_code == 404


def test_author_can_withdraw_a_pending_edit(client, user, make_page):
    page = make_page()
    proposal = _pending(client, user, page, body="Mine.\n")
    client.force_login(user)
    client.post(f"/wiki/my-edits/{proposal.pk}/withdraw/")
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_published_edit_shows_what_it_changed_and_the_version_it_became(client, user, moderator, make_page):
    page = make_page()
    proposal = _pending(client, user, page, body=page.body.replace("Use payroll.", "Use a payroll provider."))
    services.approve_edit(proposal=proposal, moderator=moderator)
    client.force_login(user)
    html = client.get(f"/wiki/my-edits/{proposal.pk}/").content.decode()
    assert "The page text did not change" not in html  # the page now matches the edit; that is not news
    assert "What your edit changed" in html and "Compared with version 1, the version you edited" in html
    assert '[added: </span> provider' in html
    assert f'Your edit was published as <a class="govuk-link" href="/wiki/{page.slug}/versions/2/">version 2</a>' in html
    client.force_login(moderator)  # and the moderators' review of the decided edit shows the same change
    html = client.get(f"/moderation/edits/{proposal.pk}/").content.decode()
    assert "What the edit changed, against the version it was written on (1)" in html
    assert '[added: </span> provider' in html


@pytest.mark.parametrize(("decide", "says"), [
    (None, "A moderator will check your edit. Until then everyone sees the page as it was."),
    (lambda proposal, moderator: services.reject_edit(proposal=proposal, moderator=moderator, reason="Not sure"),
     "A moderator did not accept this edit, so the page did not change."),
    (lambda proposal, moderator: services.withdraw_edit(proposal=proposal, author=proposal.author),
     "You withdrew this edit, so the page did not change."),
])
def test_my_edit_says_what_happened_to_it(client, user, moderator, make_page, decide, says):
    page = make_page()
    proposal = _pending(client, user, page, body=page.body.replace("Use payroll.", "Use a payroll provider."))
    if decide:
        decide(proposal, moderator)
    client.force_login(user)
    html = client.get(f"/wiki/my-edits/{proposal.pk}/").content.decode()
    assert says in html
    assert "Compared with version 1, the version you edited" in html and '[added: </span> provider' in html


def test_waiting_edit_on_a_page_changed_since_shows_only_the_authors_change(client, user, make_page, publish):
    page = make_page()
    proposal = _pending(client, user, page, body=page.body.replace("Use payroll.", "Use a payroll provider."))
    publish(page, body=page.body.replace("You need insurance.", "You need employer's liability insurance."))
    client.force_login(user)
    html = client.get(f"/wiki/my-edits/{proposal.pk}/").content.decode()
    assert "you edited version 1; it is now version 2" in html
    assert "liability" not in html  # the other change is not shown as if this edit took it out


def test_moderation_queue_queries_do_not_grow(client, moderator, make_page, django_assert_max_num_queries):
    from tests.factories import UserFactory

    page = make_page()
    for _ in range(8):
        _pending(client, UserFactory(), page, body="x\n")
    client.force_login(moderator)
    # 10 with an empty cache: four of them count what waits (edits, reports, held posts, templates), for the
    # header and the tabs, then shared until what they count changes. The point: the number does not grow with the edits.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("moderation:queue")).status_code == 200


def test_null_characters_are_refused_not_a_server_error(client, user, make_page):
    page = make_page()
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="Text\x00with a null"))
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
