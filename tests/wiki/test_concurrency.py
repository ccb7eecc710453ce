"""Two moderators deciding the same edit at once, on PostgreSQL with two real connections."""

import threading

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.wiki.conftest import page_content
from wiki import services
from wiki.models import EditProposal, Page, PageVersion

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = ("ok", action())
        except services.AlreadyDecided as error:
            outcomes[index] = ("already decided", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def pending():
    from django.contrib.auth.models import Group

    moderators = Group.objects.get_or_create(name="Moderators")[0]
    first, second = UserFactory(), UserFactory()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    for member in (first, second):
        member.groups.add(moderators)
        TOTP.activate(member, generate_totp_secret())  # moderator power needs two-step verification
    version = services._publish(page=None, content=page_content(), author=None, edit_summary="First")
    page = Page.objects.get(pk=version.page_id)
    proposal = services.propose_edit(page=page, author=UserFactory(), content={**page_content(), "body": "New\n"},
                                     edit_summary="Edit", base_revision=1)
    return proposal, first, second


@pytest.mark.parametrize("trial", range(5))
def test_two_moderators_approve_at_once_one_wins(pending, trial):
    proposal, first, second = pending
    outcomes = _race(lambda: services.approve_edit(proposal=proposal, moderator=first),
                     lambda: services.approve_edit(proposal=proposal, moderator=second))
    assert sorted(kind for kind, _ in outcomes) == ["already decided", "ok"]
    assert PageVersion.objects.filter(page=proposal.page).count() == 2
    assert Page.objects.get(pk=proposal.page_id).revision == 2


def test_approve_and_reject_at_once_one_wins(pending):
    proposal, first, second = pending
    outcomes = _race(lambda: services.approve_edit(proposal=proposal, moderator=first),
                     lambda: services.reject_edit(proposal=proposal, moderator=second, reason="No"))
    assert sorted(kind for kind, _ in outcomes) == ["already decided", "ok"]
    proposal.refresh_from_db()
    published = PageVersion.objects.filter(page=proposal.page).count() - 1
    assert (proposal.status, published) in {("approved", 1), ("rejected", 0)}


def test_two_edits_on_the_same_base_second_gets_a_conflict():
    version = services._publish(page=None, content=page_content(), author=None, edit_summary="First")
    page = Page.objects.get(pk=version.page_id)
    base = page.body
    from django.contrib.auth.models import Group

    moderators = Group.objects.get_or_create(name="Moderators")[0]
    first, second = UserFactory(), UserFactory()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    for member in (first, second):
        member.groups.add(moderators)
        TOTP.activate(member, generate_totp_secret())  # moderator power needs two-step verification
    texts = [base.replace("You need insurance.", f"Version by {n}.") for n in (1, 2)]
    outcomes = []

    def edit(author, text):
        try:
            services.propose_edit(page=page, author=author, content={**page_content(), "body": text},
                                  edit_summary="Edit", base_revision=1)
            outcomes.append("ok")
        except services.EditConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(author, text)) for author, text in zip((first, second), texts, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Page.objects.get(pk=page.pk).revision == 2
    assert EditProposal.objects.count() == 1


@pytest.fixture
def renders_under_lock(monkeypatch):
    """Each time a page body is rendered, whether this transaction already holds a row lock."""
    locked, seen = [False], []
    real_render = services.render_page_body

    def note_lock(execute, sql, params, many, context):
        if "FOR UPDATE" in sql:
            locked[0] = True
        return execute(sql, params, many, context)

    def render(body):
        seen.append(locked[0])
        return real_render(body)

    monkeypatch.setattr(services, "render_page_body", render)
    with connection.execute_wrapper(note_lock):
        yield seen, locked


def test_rendering_never_waits_inside_a_row_lock(pending, renders_under_lock):
    """Rendering has a time budget; no other edit of the page should wait behind it (issue 12)."""
    proposal, moderator, _ = pending
    seen, locked = renders_under_lock
    page = proposal.page
    services.propose_edit(page=page, author=UserFactory(), content={**page_content(), "body": "Another\n"},
                          edit_summary="Edit", base_revision=page.revision)
    locked[0] = False
    services.approve_edit(proposal=proposal, moderator=moderator)
    locked[0] = False
    services.restore_version(page=Page.objects.get(pk=page.pk), number=1, moderator=moderator)
    assert seen and not any(seen), seen
