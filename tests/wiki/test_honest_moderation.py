"""Honest moderation: the diff and preview show exactly what approving publishes, against the current version."""

import pytest
from django.core import mail

from tests.wiki.conftest import form_data
from wiki import services
from wiki.models import EditProposal, Page

pytestmark = pytest.mark.django_db

BODY = "## Before you start\n\nYou become an employer.\n\nYou need insurance.\n\n## Pay\n\nUse payroll.\n"


def _stale_proposal(make_page, publish, user, *, author_body, later_body):
    page = make_page(body=BODY)
    proposal = services.propose_edit(page=page, author=user, content={**_content(page), "body": author_body},
                                     edit_summary="Author's change", base_revision=1)
    publish(page, body=later_body, edit_summary="A later change")
    return Page.objects.get(pk=page.pk), EditProposal.objects.get(pk=proposal.pk)


def _content(page):
    return {name: getattr(page, name) for name in
            ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}


def test_stale_edit_diff_keeps_the_later_change_and_preview_equals_what_is_published(
        client, user, moderator, make_page, publish):
    page, proposal = _stale_proposal(
        make_page, publish, user, author_body=BODY.replace("Use payroll.", "Use a payroll service."),
        later_body=BODY.replace("You need insurance.", "You need employer's liability insurance."))
    client.force_login(moderator)
    html = client.get(f"/moderation/edits/{proposal.pk}/").content.decode()
    diff = html[html.index("What publishing will change"):html.index("Preview of what will be published")]
    assert "liability" not in diff, "the later change must not show as removed"
    assert "[added: </span>a " in diff and "service" in diff
    preview = html[html.index("Preview of what will be published"):]
    assert "employer&#x27;s liability insurance" in preview and "Use a payroll service." in preview
    response = client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": "", "seen_revision": 2})
    assert response.status_code == 302
    published = Page.objects.get(pk=page.pk)
    assert published.revision == 3
    assert "employer's liability insurance" in published.body and "Use a payroll service." in published.body


def test_overlapping_edit_is_resolved_by_the_moderator_editing_the_merged_text(
        client, user, moderator, make_page, publish):
    page, proposal = _stale_proposal(
        make_page, publish, user, author_body=BODY.replace("Use payroll.", "Use a payroll company."),
        later_body=BODY.replace("Use payroll.", "Use payroll software."))
    client.force_login(moderator)
    html = client.get(f"/moderation/edits/{proposal.pk}/").content.decode()
    assert "both changed the same place (body)" in html
    assert "The author’s change, against the version they edited" in html
    response = client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": "", "seen_revision": 2})
    assert response.status_code == 302 and Page.objects.get(pk=page.pk).revision == 2  # nothing published
    merged = BODY.replace("Use payroll.", "Use payroll software or a payroll company.")
    preview = client.post(f"/moderation/edits/{proposal.pk}/approve/",
                          {"note": "", "body": merged, "seen_revision": 2, "action": "preview"})
    html = preview.content.decode()
    assert "This is your edited text" in html and "Use payroll software or a payroll company." in html
    assert Page.objects.get(pk=page.pk).revision == 2
    mail.outbox.clear()
    response = client.post(f"/moderation/edits/{proposal.pk}/approve/",
                           {"note": "Merged with the payroll software change", "body": merged,
                            "seen_revision": 2, "action": "approve"})
    assert response.status_code == 302
    published = Page.objects.get(pk=page.pk)
    assert published.revision == 3 and published.body == merged
    assert published.versions.get(number=3).edit_summary == "Author's change (merged by a moderator)"


def test_approving_after_the_page_changed_again_publishes_nothing(client, user, moderator, make_page, publish):
    page = make_page(body=BODY)
    proposal = services.propose_edit(page=page, author=user,
                                     content={**_content(page), "body": BODY + "\nMore.\n"},
                                     edit_summary="More", base_revision=1)
    client.force_login(moderator)
    client.get(f"/moderation/edits/{proposal.pk}/")
    publish(page, body=BODY.replace("Use payroll.", "Use payroll software."))  # while the moderator reads
    response = client.post(f"/moderation/edits/{proposal.pk}/approve/", {"note": "", "seen_revision": 1})
    assert response.status_code == 302 and Page.objects.get(pk=page.pk).revision == 2
    assert EditProposal.objects.get(pk=proposal.pk).is_pending()


def test_resending_after_a_conflict_shows_what_it_would_remove_and_never_drops_it_silently(
        client, user, make_page, publish):
    page = make_page()
    publish(page, body=page.body.replace("You need insurance.", "You need employer's liability insurance."))
    client.force_login(user)
    mine = page.body.replace("You need insurance.", "You must buy insurance before day one.")
    first = client.post(f"/wiki/{page.slug}/edit/", form_data(page, base_revision=1, body=mine))
    assert 'name="after_conflict" value="2"' in first.content.decode()
    # Sending the same text again, as a hurried author would: refused, with the removal shown.
    again = client.post(f"/wiki/{page.slug}/edit/", form_data(page, base_revision=2, after_conflict=2, body=mine))
    html = again.content.decode()
    assert "Your text would remove the parts of the current version" in html
    assert "[removed: </span>employer&#x27;s liability" in html
    assert 'id="id_confirm_removals-error"' in html
    assert EditProposal.objects.count() == 0
    # Confirmed on purpose: it goes to review, and the moderator sees the removal in the diff.
    confirmed = client.post(f"/wiki/{page.slug}/edit/", form_data(page, base_revision=2, after_conflict=2,
                                                                  body=mine, confirm_removals="on"))
    assert confirmed.status_code == 302 and EditProposal.objects.count() == 1


def test_resending_with_the_other_change_kept_needs_no_confirmation(client, user, make_page, publish):
    page = make_page()
    page = publish(page, body=page.body.replace("You need insurance.", "You need employer's liability insurance."))
    client.force_login(user)
    both = page.body.replace("Use payroll.", "Use payroll. Keep payslips.")
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, base_revision=2, after_conflict=2, body=both))
    assert response.status_code == 302 and EditProposal.objects.count() == 1


def test_header_shows_moderators_how_many_items_wait(client, user, moderator, make_page):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    page = make_page()
    services.propose_edit(page=page, author=user, content={**_content(page), "body": BODY + "\nMore.\n"},
                          edit_summary="More", base_revision=1)
    client.force_login(moderator)
    html = client.get("/wiki/").content.decode()
    assert 'href="/moderation/">Moderation (1<span class="govuk-visually-hidden"> waiting</span>)</a>' in html
    client.force_login(user)
    assert "Moderation (" not in client.get("/wiki/").content.decode()
    no_two_step = UserFactory()
    no_two_step.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(no_two_step)
    assert "Moderation (" not in client.get("/wiki/").content.decode()


def test_held_posts_count_in_the_header_and_the_link_goes_where_they_wait(client, moderator):
    """A held post (a new account's links) waits like an edit or a report (found by a first user)."""
    from tests.forum.factories import new_member, reply, start

    topic = start()
    client.force_login(moderator)
    assert "Forum reports and held posts (0<span" in client.get("/moderation/reports/").content.decode()
    held = reply(topic, author=new_member(), body="See https://example.org/timesheet for mine")
    assert held.is_held
    html = client.get("/wiki/").content.decode()
    assert 'href="/moderation/reports/#held">Moderation (1<span class="govuk-visually-hidden"> waiting' in html
    tabs = client.get("/moderation/reports/").content.decode()
    assert "Forum reports and held posts (1<span" in tabs and "Guide edits (0<span" in tabs
    client.post(f"/forum/posts/{held.pk}/approve/", {"from": "reports"})
    # Counted again at once, not a half-minute later (found by a first user).
    assert "Forum reports and held posts (0<span" in client.get("/moderation/reports/").content.decode()
