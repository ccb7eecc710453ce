"""The access matrix: owner, another member, a moderator, staff and anonymous, on every budget address."""

import uuid

import pytest
from django.urls import reverse

from accounts.budget.models import Entry
from tests.accounts.budget.helpers import D, make_budget, money_out
from tests.accounts.test_auth import without_tokens

pytestmark = pytest.mark.django_db

ENTRY_URLS = ["budget:entry_detail", "budget:entry_edit", "budget:entry_delete", "budget:entry_restore"]
PAGES = ["budget:overview", "budget:setup", "budget:plan", "budget:entry_list", "budget:entry_add",
         "budget:import_upload", "budget:rules"]
OTHER_URLS = ["budget:import_map", "budget:import_preview", "budget:import_confirm", "budget:rule_delete"]


@pytest.fixture
def entry(owner):
    budget = make_budget(owner)
    return money_out(budget, D(2026, 4, 28), 95000, "Marker-payee-Sam", "PA wages")


@pytest.fixture
def private_objects(owner, entry):
    from accounts.budget import services

    budget = entry.budget
    pending = services.keep_statement(budget=budget, owner=owner,
                                      text="Date,Description,Amount\n02/04/2026,Marker-payee-Sam,-1.00\n")
    rule = services.add_rule(budget=budget, owner=owner, contains="Marker-payee-Sam",
                             category=budget.categories.first())
    return {"budget:import_map": pending.pk, "budget:import_preview": pending.pk,
            "budget:import_confirm": pending.pk, "budget:rule_delete": rule.pk}


@pytest.mark.parametrize("role", ["other", "moderator", "staff"])
@pytest.mark.parametrize("name", OTHER_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_imports_and_rules_are_404_for_anyone_but_the_owner(client, request, private_objects, role, name, method):
    client.force_login(visitor(request, role))
    response = getattr(client, method)(reverse(name, args=[private_objects[name]]))
    assert response.status_code in (404, 405)
    assert b"Marker-payee-Sam" not in response.content
    if method == "post":
        from accounts.budget.models import ImportRule, PendingImport

        assert PendingImport.objects.count() == ImportRule.objects.count() == 1


def visitor(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize("role", ["other", "moderator", "staff"])
@pytest.mark.parametrize("name", ENTRY_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_entry_addresses_are_404_for_anyone_but_the_owner(client, request, entry, role, name, method):
    client.force_login(visitor(request, role))
    response = getattr(client, method)(reverse(name, args=[entry.pk]), {"amount": "1", "payee": "x"})
    unused = uuid.uuid4()
    missing = getattr(client, method)(reverse(name, args=[unused]), {"amount": "1", "payee": "x"})
    if response.status_code == 405:  # restore is POST only: a GET is refused before any lookup
        assert missing.status_code == 405
        return
    assert response.status_code == missing.status_code == 404
    # The same page as for an id never used: nothing confirms the entry exists.
    assert without_tokens(response.content) == without_tokens(
        missing.content.replace(str(unused).encode(), str(entry.pk).encode()))
    assert b"Marker-payee-Sam" not in response.content
    fresh = Entry.objects.get(pk=entry.pk)
    assert (fresh.amount_pence, fresh.deleted_at) == (95000, None)


@pytest.mark.parametrize("role", ["other", "moderator", "staff"])
@pytest.mark.parametrize("name", PAGES)
def test_other_people_see_only_their_own_budget(client, request, entry, role, name):
    client.force_login(visitor(request, role))
    response = client.get(reverse(name))
    assert response.status_code in (200, 302, 404)
    assert b"Marker-payee-Sam" not in response.content and b"Example ICB" not in response.content


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("name", ENTRY_URLS)
def test_anonymous_visitors_are_sent_to_sign_in_for_an_entry(client, entry, name):
    response = client.post(reverse(name, args=[entry.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_owner_opens_every_entry_address(client, owner, entry):
    client.force_login(owner)
    for name in ["budget:entry_detail", "budget:entry_edit", "budget:entry_delete"]:
        assert client.get(reverse(name, args=[entry.pk])).status_code == 200
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200


def test_a_forged_post_without_csrf_token_is_refused(owner, entry):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(reverse("budget:entry_delete", args=[entry.pk])).status_code == 403
    # The upload views check CSRF themselves, after swapping in the upload handler.
    for url in [reverse("budget:entry_add"), reverse("budget:entry_edit", args=[entry.pk]),
                reverse("budget:import_upload"), reverse("budget:record_add")]:
        assert client.post(url, {"direction": "out"}).status_code == 403, url
    assert Entry.objects.get(pk=entry.pk).deleted_at is None
