"""Sharing with a professional: expiry, revoking, passcode, the access log, rate limits, and erasure."""

import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as document_services
from accounts.budget import services
from accounts.budget.models import Share, ShareOpening
from tests.accounts.budget.helpers import worked_example
from tests.accounts.helpers import SECRET, pdf

pytestmark = pytest.mark.django_db


def make_link(client, owner, **overrides):
    client.force_login(owner)
    data = {"recipient": "Jo Smith, care co-ordinator", "contents": "pack", "start": "2026-04-01",
            "end": "2026-06-30", "days": "14", **overrides}
    response = client.post(reverse("budget:share_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).content.decode()
    link = page.split('id="share-link">')[1].split("<")[0]
    passcode = page.split('id="share-passcode">')[1].split("<")[0] if 'id="share-passcode"' in page else ""
    return Share.objects.get(), link.split("testserver")[1], passcode


@pytest.fixture
def budget(owner):
    return worked_example(owner)


def missing_page() -> bytes:
    return Client().get("/account/budget/shared/" + "x" * 43 + "/").content


def test_the_link_is_shown_once_and_opens_without_an_account(client, owner, budget):
    share, path, _ = make_link(client, owner)
    again = client.get(reverse("budget:share_detail", args=[share.pk])).content.decode()
    assert 'id="share-link"' not in again
    visitor = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")
    response = visitor.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budget review pack: 1 April 2026 to 30 June 2026" in page and "£882.25" in page
    # Read by a professional: about the budget holder's money, not "your" money.
    assert "The balance of £882.25 is within the contingency" in page and "Your balance" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "same-origin"
    opening = ShareOpening.objects.get()
    assert (opening.action, opening.browser) == ("opened", "Chrome on Windows")
    log = client.get(reverse("budget:share_detail", args=[share.pk])).content.decode()
    assert "Opened the link" in log and "Chrome on Windows" in log


def test_the_shared_pack_downloads_and_is_logged(client, owner, budget):
    _, path, _ = make_link(client, owner)
    response = Client().get(path + "download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "summary.html" in archive.namelist() and "summary.pdf" in archive.namelist()
    assert ShareOpening.objects.filter(action="pack").count() == 1


def test_an_expired_link_answers_like_a_missing_one(client, owner, budget):
    share, path, _ = make_link(client, owner)
    Share.objects.filter(pk=share.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().get(path)
    assert response.status_code == 404 and response.content == missing_page()
    assert not ShareOpening.objects.exists()


def test_a_revoked_link_stops_at_once(client, owner, budget):
    share, path, _ = make_link(client, owner)
    assert Client().get(path).status_code == 200
    assert client.post(reverse("budget:share_revoke", args=[share.pk])).status_code == 302
    for suffix in ("", "download/"):
        response = Client().get(path + suffix)
        assert response.status_code == 404 and response.content == missing_page()


def test_a_link_cannot_last_more_than_30_days(client, owner, budget):
    client.force_login(owner)
    response = client.post(reverse("budget:share_add"), {"recipient": "Jo", "contents": "pack", "days": "31",
                                                         "start": "2026-04-01", "end": "2026-06-30"})
    assert response.status_code == 400
    assert "A link can work for 30 days at most" in response.content.decode()
    assert not Share.objects.exists()
    with pytest.raises(Exception, match="1 to 30 days"):
        services.create_share(budget=budget, owner=owner, recipient="Jo", contents="pack", days=45)


def test_the_passcode_is_asked_for_and_wrong_tries_are_logged_and_limited(client, owner, budget):
    _, path, passcode = make_link(client, owner, passcode="on")
    assert len(passcode) == 8
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Enter the passcode" in page.content.decode()
    assert "£882.25" not in page.content.decode()
    assert visitor.get(path + "download/").status_code == 404
    wrong = visitor.post(path, {"passcode": "WRONG123"})
    assert wrong.status_code == 400 and "The passcode is not right" in wrong.content.decode()
    assert ShareOpening.objects.filter(action="wrong_passcode").count() == 1
    right = visitor.post(path, {"passcode": passcode.lower()})
    assert right.status_code == 302
    assert "£882.25" in visitor.get(path).content.decode()


def test_five_wrong_passcodes_lock_the_link_for_a_while(client, owner, budget):
    _, path, passcode = make_link(client, owner, passcode="on")
    attacker = Client()
    for _ in range(5):
        attacker.post(path, {"passcode": "NOPE0000"})
    response = Client().post(path, {"passcode": passcode})
    assert response.status_code == 429 and "Too many wrong passcodes" in response.content.decode()
    assert "Try again in about 15 minutes" in response.content.decode() and response["Retry-After"] == "900"


def test_links_are_rate_limited_by_address(client, owner, budget):
    _, path, _ = make_link(client, owner)
    visitor = Client()
    statuses = [visitor.get(path).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    limited = visitor.get(path)
    assert "Try again in about 1 minute." in limited.content.decode() and limited["Retry-After"] == "60"
    guesser = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [guesser.get(f"/account/budget/shared/guess{n}/").status_code for n in range(31)]
    assert statuses[-1] == 429


def test_chosen_documents_only(client, owner, budget):
    shared = document_services.store_document(owner=owner, upload=pdf("contract.pdf"), kind="pa_contract",
                                              name="PA contract")
    private = document_services.store_document(owner=owner, upload=pdf("plan.pdf"), kind="care_plan",
                                               name="Care plan")
    _, path, _ = make_link(client, owner, contents="documents", documents=[str(shared.pk)], start="", end="")
    visitor = Client()
    page = visitor.get(path).content.decode()
    assert "PA contract" in page and "Care plan" not in page and "£882.25" not in page
    response = visitor.get(f"{path}documents/{shared.pk}/")
    assert SECRET in b"".join(response.streaming_content)
    assert visitor.get(f"{path}documents/{private.pk}/").status_code == 404
    assert ShareOpening.objects.filter(action="document").count() == 1


def test_deleting_the_account_ends_every_link(client, owner, budget):
    from accounts.services import delete_account

    _, path, _ = make_link(client, owner)
    delete_account(user=owner)
    assert Client().get(path).status_code == 404
    assert not Share.objects.exists()


def test_only_a_hash_of_the_link_is_kept(client, owner, budget):
    share, path, _ = make_link(client, owner)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43 and token not in share.token_hash
    assert b"Jo Smith" not in bytes(share.recipient_encrypted)


@pytest.mark.parametrize("role", ["other", "moderator", "staff"])
def test_other_people_cannot_see_or_stop_a_link(client, owner, budget, request, role):
    share, _, _ = make_link(client, owner)
    other = Client()
    other.force_login(request.getfixturevalue(role))
    for name, method in (("budget:share_detail", "get"), ("budget:share_revoke", "post")):
        response = getattr(other, method)(reverse(name, args=[share.pk]))
        assert response.status_code == 404 and b"Jo Smith" not in response.content
    share.refresh_from_db()
    assert share.revoked_at is None
