"""Importing bank statements: three UK layouts, the mapping step, preview, duplicates, rules, bad files."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.budget import services, statements
from accounts.budget.models import Entry, ImportRule, PendingImport
from tests.accounts.budget.helpers import D, category, make_budget

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "data" / "statements"


def csv_file(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else (DATA / name).read_bytes(), content_type="text/csv")


def upload(client, name, data=None):
    response = client.post(reverse("budget:import_upload"), {"file": csv_file(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PendingImport.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def guessed_query(name: str) -> dict:
    statement = statements.read(statements.decode((DATA / name).read_bytes()))
    guess = statements.guess_mapping(statement)
    query = {"date": guess.date, "description": guess.description, "date_format": guess.date_format,
             "mode": "one" if guess.amount is not None else "two"}
    for key, value in (("amount", guess.amount), ("out", guess.out), ("into", guess.into)):
        query[key] = "" if value is None else value
    return query


def import_all(client, name, pending=None):
    pending = pending or upload(client, name)
    query = guessed_query(name)
    preview = client.get(reverse("budget:import_preview", args=[pending.pk]), query)
    assert preview.status_code == 200, preview.content.decode()
    rows = [item["row"].number for item in preview.context["rows"] if not item["duplicate"]]
    data = {**query, "row": [str(number) for number in rows]}
    for item in preview.context["rows"]:
        data[f"category-{item['row'].number}"] = item["category"]
    return client.post(reverse("budget:import_confirm", args=[pending.pk]), data), preview


@pytest.fixture
def budget(owner, client):
    client.force_login(owner)
    return make_budget(owner)


@pytest.mark.parametrize(("name", "layout"), [("barclays.csv", "Barclays"), ("nationwide.csv", "Nationwide")])
def test_common_layouts_are_recognised_and_imported(client, budget, name, layout):
    pending = upload(client, name)
    page = client.get(reverse("budget:import_map", args=[pending.pk])).content.decode()
    assert f"This looks like a {layout} statement" in page
    response, _ = import_all(client, name, pending)
    assert response.status_code == 302
    entries = sorted(Entry.objects.all(), key=lambda e: (e.occurred_on, e.amount_pence))
    assert [(e.occurred_on, e.direction, e.amount_pence) for e in entries] == [
        (D(2026, 4, 1), "in", 130000), (D(2026, 4, 3), "out", 4550), (D(2026, 4, 10), "out", 12000),
        (D(2026, 4, 28), "out", 95000), (D(2026, 4, 30), "out", 3000)]
    assert all(e.imported for e in entries)
    assert not PendingImport.objects.exists()  # the statement is gone once imported


def test_a_file_without_a_header_row_is_mapped_by_position(client, budget):
    response, _ = import_all(client, "hsbc-no-header.csv")
    assert response.status_code == 302
    assert sorted(Entry.objects.values_list("amount_pence", "direction")) == [(4550, "out"), (130000, "in")]


def test_bad_rows_get_clear_messages_and_nothing_is_imported(client, budget):
    pending = upload(client, "lloyds-with-bad-rows.csv")
    query = guessed_query("lloyds-with-bad-rows.csv")
    response = client.get(reverse("budget:import_preview", args=[pending.pk]), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing has been imported: 3 rows cannot be read" in page
    assert "Row 4: ‘31/04/2026’ is not a date like 31/01/2026" in page
    assert "Row 5: ‘nine hundred’ is not an amount of money like 12.50" in page
    assert "Row 7: the date is missing" in page
    confirm = client.post(reverse("budget:import_confirm", args=[pending.pk]), {**query, "row": ["2", "3", "6"]})
    assert confirm.status_code == 302 and "preview" in confirm["Location"]
    assert not Entry.objects.exists()


def test_rows_in_a_closed_period_stop_the_whole_import(client, budget):
    budget.closed_until = D(2026, 4, 5)
    budget.save()
    pending = upload(client, "barclays.csv")
    query = guessed_query("barclays.csv")
    page = client.get(reverse("budget:import_preview", args=[pending.pk]), query).content.decode()
    assert "Row 2: Your records are closed up to 5 April 2026" in page
    response = client.post(reverse("budget:import_confirm", args=[pending.pk]), {**query, "row": ["2", "3", "4"]})
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_importing_the_same_statement_twice_finds_every_duplicate(client, budget):
    import_all(client, "barclays.csv")
    response, preview = import_all(client, "barclays.csv")
    assert all(item["duplicate"] for item in preview.context["rows"])
    assert "5 are already recorded and left unticked" in preview.content.decode()
    assert Entry.objects.count() == 5


def test_two_identical_payments_on_one_day_are_both_imported_once(client, budget):
    data = b"Date,Description,Amount\n03/04/2026,CAFE,-5.00\n03/04/2026,CAFE,-5.00\n"
    for _ in range(2):
        pending = upload(client, "cafe.csv", data)
        query = {"date": 0, "description": 1, "amount": 2, "out": "", "into": "", "mode": "one",
                 "date_format": "%d/%m/%Y"}
        preview = client.get(reverse("budget:import_preview", args=[pending.pk]), query)
        rows = [str(item["row"].number) for item in preview.context["rows"] if not item["duplicate"]]
        client.post(reverse("budget:import_confirm", args=[pending.pk]), {**query, "row": rows})
    assert Entry.objects.count() == 2


def test_a_saved_rule_files_hmrc_under_tax(client, budget):
    pending = upload(client, "barclays.csv")
    preview_url = reverse("budget:import_preview", args=[pending.pk])
    response = client.post(reverse("budget:rules"), {"contains": "hmrc", "category": "", "new_category": "Tax",
                                                     "next": preview_url})
    assert response.status_code == 302 and response["Location"] == preview_url
    tax = category(budget, "Tax")
    response, preview = import_all(client, "barclays.csv")
    hmrc = Entry.objects.get(amount_pence=12000)
    assert hmrc.category_id == tax.pk
    assert Entry.objects.get(amount_pence=4550).category_id is None
    assert services.read_rule(ImportRule.objects.get(), budget) == "hmrc"


def test_a_20_mb_csv_is_refused_with_a_clear_message(client, budget):
    big = b"Date,Description,Amount\n" + b"01/04/2026,SHOP,-1.00\n" * (20 * 1024 * 1024 // 22)
    response = client.post(reverse("budget:import_upload"), {"file": csv_file("big.csv", big)})
    assert response.status_code == 413
    page = response.content.decode()
    assert "The selected file is larger than 5 MB" in page and 'id="id_file-error"' in page
    assert not PendingImport.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    (b"\x00\x01\x02PK binary", "This file is not a CSV file"),
    (b"", "The selected file is empty"),
    (b"Date,Description,Amount\n", "The file has a header row but no transactions"),
])
def test_malformed_files_get_a_message_beside_the_field(client, budget, data, message):
    response = client.post(reverse("budget:import_upload"), {"file": csv_file("x.csv", data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()


def test_the_waiting_statement_is_encrypted(client, budget):
    pending = upload(client, "barclays.csv")
    assert b"SWIMMING" not in bytes(pending.content_encrypted)


def test_parse_amount_reads_the_ways_banks_write_money():
    assert [statements.parse_amount(text) for text in ("£1,234.50", "-12.5", "(3.00)", "+7", "", "£-2.00")] == [
        123450, -1250, -300, 700, None, -200]
    with pytest.raises(ValueError):
        statements.parse_amount("12.345")


def test_a_payment_entered_by_hand_is_spotted_though_the_bank_names_it_differently(client, budget):
    """Found by a first user: the ICB's payment, typed in by hand, was imported again from the statement."""
    client.post(reverse("budget:entry_add"), {"direction": "in", "occurred_on": "2026-04-03", "amount": "1850.00",
                                              "payee": "NHS Somewhere ICB", "note": ""})
    assert Entry.objects.count() == 1
    data = b"Date,Description,Amount\n03/04/2026,NHS SOMEWHERE ICB PHB PAYMENT,1850.00\n04/04/2026,CAFE,-5.00\n"
    pending = upload(client, "icb.csv", data)
    query = {"date": 0, "description": 1, "amount": 2, "out": "", "into": "", "mode": "one",
             "date_format": "%d/%m/%Y"}
    preview = client.get(reverse("budget:import_preview", args=[pending.pk]), query)
    assert [item["duplicate"] for item in preview.context["rows"]] == [True, False]
