"""Set-up, money in and out, history, errors, the overview's figures, export and erasure, through the pages."""

import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from accounts.budget import services
from accounts.budget.models import Budget, Entry, EntryChange
from accounts.models import Document
from tests.accounts.budget.helpers import D, category, make_budget, money_out, worked_example
from tests.accounts.helpers import pdf

pytestmark = pytest.mark.django_db

SETUP = {
    "management": "direct_payment", "payer": "North Example ICB", "amount": "1,300.00", "frequency": "monthly",
    "starts_on": "2026-04-01", "opening_balance": "", "contingency_weeks": "4", "employs_pas": "yes",
    "plan-TOTAL_FORMS": "3", "plan-INITIAL_FORMS": "3", "plan-MIN_NUM_FORMS": "0", "plan-MAX_NUM_FORMS": "1000",
    "plan-0-name": "PA wages", "plan-0-planned": "1000", "plan-1-name": "Payroll service", "plan-1-planned": "30",
    "plan-2-name": "Equipment", "plan-2-planned": "",
}


def test_setting_up_a_budget_saves_settings_and_plan_lines(client, owner):
    client.force_login(owner)
    response = client.post(reverse("budget:setup"), SETUP)
    assert response.status_code == 302
    budget = Budget.objects.get(owner=owner)
    assert (budget.amount_pence, budget.frequency, budget.starts_on, budget.contingency_weeks) == (
        130000, "monthly", D(2026, 4, 1), 4)
    assert services.read_payer(budget) == "North Example ICB"
    assert list(services.category_names(budget).values()) == ["PA wages", "Payroll service"]  # no amount: left out


def test_set_up_errors_are_beside_their_fields_and_nothing_is_saved(client, owner):
    client.force_login(owner)
    response = client.post(reverse("budget:setup"), {**SETUP, "amount": "-50", "starts_on": "31/02/2026",
                                                     "plan-1-name": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Enter the amount of each payment without a minus sign" in page
    assert "Enter a real date, like 31/03/2026" in page
    assert "Line 2: Enter a name for this line, like PA wages" in page
    assert 'id="id_amount-error"' in page and 'aria-describedby="id_amount_helptext id_amount-error"' in page
    assert 'value="North Example ICB"' in page  # what was typed is kept
    assert not Budget.objects.exists()


@pytest.mark.parametrize("starts_on, message", [
    ("01/04/2036", "Start date must be within the next year. Check the year"),
    ("01/04/1926", "Start date must be in 2009 or later. Check the year"),
])
def test_a_start_date_with_a_mistyped_year_is_refused(client, owner, starts_on, message):
    client.force_login(owner)
    response = client.post(reverse("budget:setup"), {**SETUP, "starts_on": starts_on})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Budget.objects.exists()


def entry_data(**overrides):
    return {"direction": "out", "occurred_on": "2026-04-28", "amount": "950.00", "payee": "Sam Carer",
            "category": "", "note": "April wages", "document": "", **overrides}


def test_adding_money_out_with_a_new_receipt(client, owner):
    budget = make_budget(owner)
    client.force_login(owner)
    wages = category(budget, "PA wages")
    response = client.post(reverse("budget:entry_add"), entry_data(category=str(wages.pk), receipt=pdf()))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.amount_pence, entry.category_id, entry.direction) == (95000, wages.pk, "out")
    assert services.read_entry(entry, budget).payee == "Sam Carer"
    document = Document.objects.get(owner=owner)
    assert entry.document_id == document.pk
    assert entry.changes.get().action == EntryChange.Action.ADDED


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"amount": "-20"}, "amount", "Enter the amount without a minus sign: choose money in or money out instead"),
    ({"amount": "0"}, "amount", "Enter the amount more than £0"),
    ({"amount": "twelve"}, "amount", "Enter the amount in pounds and pence, like 12.50"),
    ({"amount": "99999999999"}, "amount", "Enter the amount of £1,000,000 or less. Check the number"),
    ({"occurred_on": "2026-03-31"}, "occurred_on", "Your budget started on 1 April 2026"),
    ({"occurred_on": "2026-05-31"}, "occurred_on", "Your records are closed up to 31 May 2026"),
    ({"payee": ""}, "payee", "Enter who it was paid to or from"),
])
def test_bad_entries_get_a_message_beside_the_field_and_change_nothing(client, owner, overrides, field, message):
    make_budget(owner, closed_until=D(2026, 5, 31))
    client.force_login(owner)
    response = client.post(reverse("budget:entry_add"), {**entry_data(occurred_on="2026-06-02"), **overrides})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}-error"' in page
    assert 'aria-invalid="true"' in page
    assert not Entry.objects.exists() and not Document.objects.exists()


def test_a_closed_period_refuses_a_receipt_before_storing_it(client, owner):
    make_budget(owner, closed_until=D(2026, 5, 31))
    client.force_login(owner)
    response = client.post(reverse("budget:entry_add"), entry_data(occurred_on="2026-05-02", receipt=pdf()))
    assert response.status_code == 400
    assert not Document.objects.exists()


def test_editing_keeps_the_earlier_version_in_the_history(client, owner):
    budget = make_budget(owner)
    entry = money_out(budget, D(2026, 4, 28), 95000, "Sam Carer", "PA wages")
    client.force_login(owner)
    response = client.post(reverse("budget:entry_edit", args=[entry.pk]),
                           entry_data(amount="975.50", payee="Sam Carer", note="corrected"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.amount_pence == 97550
    page = client.get(reverse("budget:entry_detail", args=[entry.pk])).content.decode()
    assert "£950.00 out, Sam Carer (PA wages)" in page and "£975.50 out, Sam Carer: corrected" in page
    assert [change.action for change in entry.changes.all()] == ["changed", "added"]


def test_deleting_keeps_the_history_and_it_can_be_put_back(client, owner):
    budget = make_budget(owner)
    entry = money_out(budget, D(2026, 4, 28), 95000, "Sam Carer")
    client.force_login(owner)
    assert client.get(reverse("budget:entry_delete", args=[entry.pk])).status_code == 200
    assert client.post(reverse("budget:entry_delete", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.deleted_at is not None
    assert client.post(reverse("budget:entry_restore", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.deleted_at is None
    assert [c.action for c in entry.changes.all()] == ["restored", "deleted", "added"]


def test_an_entry_in_a_closed_period_cannot_be_changed_or_deleted(client, owner):
    budget = make_budget(owner)
    entry = money_out(budget, D(2026, 4, 28), 95000, "Sam Carer")
    budget.closed_until = D(2026, 4, 30)
    budget.save()
    client.force_login(owner)
    response = client.post(reverse("budget:entry_edit", args=[entry.pk]), entry_data(occurred_on="2026-05-02"))
    assert response.status_code == 400
    assert "Your records are closed up to 30 April 2026" in response.content.decode()
    assert client.post(reverse("budget:entry_delete", args=[entry.pk])).status_code == 400
    entry.refresh_from_db()
    assert (entry.occurred_on, entry.deleted_at) == (D(2026, 4, 28), None)


def test_overview_shows_the_hand_worked_figures_with_a_chart_and_a_table(client, owner,
                                                                         django_assert_max_num_queries):
    worked_example(owner)
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("budget:overview"), {"start": "2026-04-01", "end": "2026-06-30"})
    page = response.content.decode()
    assert response.status_code == 200
    for figure in ("£3,900.00", "£3,017.75", "£882.25", "£1,200.00", "£320.00", "£594.50", "£1,025.50",
                   "£100.00 under plan", "£12.25 over plan", "Not in your plan"):
        assert figure in page, figure
    assert "Within your contingency" in page
    assert '<svg class="app-chart__svg"' in page and "<table" in page
    assert "3 payments of £1,300.00 due from Example ICB" in page


def test_a_member_without_a_budget_is_asked_to_set_one_up(client, owner):
    client.force_login(owner)
    assert "Set up your budget" in client.get(reverse("budget:overview")).content.decode()


def test_entry_list_is_a_fixed_number_of_queries(client, owner, django_assert_max_num_queries):
    """Guards an n+1 on categories or documents per row."""
    worked_example(owner)
    client.force_login(owner)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("budget:entry_list"), {"start": "2026-04-01", "end": "2026-06-30"})
    assert response.content.decode().count("Sam Carer") == 3


# Privacy -------------------------------------------------------------------------------------------------

def test_payees_notes_and_line_names_are_not_stored_in_clear(owner):
    budget = make_budget(owner, lines=[("Marker-line-name-55", 100)])
    services.add_entry(budget=budget, owner=owner, direction="out", occurred_on=D(2026, 4, 3), amount_pence=500,
                       payee="Marker-payee-91", note="Marker-note-17", category=category(budget, "Marker-line-name-55"))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the schema)
            dump = repr(cursor.fetchall()).encode()
            for marker in (b"Marker-payee-91", b"Marker-note-17", b"Marker-line-name-55", b"Example ICB"):
                assert marker not in dump, (table, marker)


def test_export_has_the_budget_as_json_and_a_readable_csv(client, owner):
    worked_example(owner)
    client.force_login(owner)
    from tests.accounts.helpers import SECRET  # noqa: F401  (documents have their own tests)

    session = client.session
    session["_allauth_reauthenticated_at"] = datetime.datetime.now().timestamp()  # noqa: DTZ005
    session.save()
    from accounts.exports import stream_user_data

    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream_user_data(user=owner))))
    data = json.loads(archive.read("budget/budget.json"))
    assert data["paid_by"] == "Example ICB" and len(data["entries"]) == 10
    assert data["entries"][0]["history"][0]["action"] == "added"
    csv_text = archive.read("budget/money-in-and-out.csv").decode()
    assert csv_text.splitlines()[0] == "Date,Money in,Money out,Paid to or from,Spending line,Note,Deleted"
    assert "2026-04-28,,£950.00,Sam Carer,PA wages,," in csv_text


def test_deleting_the_account_erases_the_budget_and_says_so(client, owner):
    worked_example(owner)
    owner.set_password("a long enough passphrase")
    owner.save()
    client.force_login(owner)
    assert "Your budget records (money in and out" in client.get(reverse("accounts:delete")).content.decode()
    client.post(reverse("accounts:delete"), {"confirm": "on", "password": "a long enough passphrase"})
    assert not Budget.objects.exists() and not Entry.objects.exists() and not EntryChange.objects.exists()
    told = client.get(reverse("accounts:deleted")).content.decode()
    assert "Your budget records: 10 payments in and out, your plan, and every link you shared" in told


def test_add_spending_is_the_call_for_other_apps(owner):
    budget = make_budget(owner)
    entry = services.add_spending(owner=owner, occurred_on=D(2026, 4, 30), amount_pence=12000, payee="Sam Carer",
                                  category=category(budget, "PA wages"), note="Timesheet w/e 26 April")
    assert entry.direction == "out" and entry.budget_id == budget.pk


def test_add_spending_refuses_another_members_category(owner, other):
    from django.http import Http404

    make_budget(owner)
    theirs = make_budget(other)
    with pytest.raises(Http404):
        services.add_spending(owner=owner, occurred_on=D(2026, 4, 30), amount_pence=100, payee="x",
                              category=category(theirs, "PA wages"))
