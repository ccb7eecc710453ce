"""The review checklist and the review or audit pack: its contents, streamed, nothing stored in clear."""

import io
import zipfile

import pytest
from django.urls import reverse

from accounts import services as document_services
from accounts.budget import services
from accounts.budget.models import Record
from accounts.models import DocumentEvent
from tests.accounts.budget.helpers import D, worked_example
from tests.accounts.fixtures import stored_files
from tests.accounts.helpers import SECRET, pdf

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-04-01", "end": "2026-06-30"}


@pytest.fixture
def filled(owner):
    """The worked example with a receipt on one wages payment and two bank statements filed."""
    budget = worked_example(owner)
    receipt = document_services.store_document(owner=owner, upload=pdf("wages april.pdf"), kind="other",
                                               name="Wages slip April")
    entry = budget.entries.get(occurred_on=D(2026, 4, 28))
    services.change_entry(entry=entry, owner=owner, direction="out", occurred_on=entry.occurred_on,
                          amount_pence=entry.amount_pence, payee="Sam Carer", category=entry.category,
                          document=receipt)
    for month in (4, 5):
        statement = document_services.store_document(owner=owner, upload=pdf(f"statement {month}.pdf"),
                                                     kind="budget_statement", name=f"Statement {month}")
        services.add_record(budget=budget, owner=owner, document=statement, item="bank_statement",
                            relates_to=D(2026, month, 20))
    return budget


def test_the_checklist_names_what_is_missing(client, owner, filled):
    client.force_login(owner)
    page = client.get(reverse("budget:checklist"), PERIOD).content.decode()
    assert "No bank statement for June 2026" in page
    assert "No bank statement for April 2026" not in page
    assert "No employer&#x27;s liability insurance certificate for 2026" in page
    assert "No payslip for May 2026" in page and "No DBS check" in page and "No care and support plan" in page
    assert "No receipt for Taxi, £12.25 on 10 June 2026" in page
    assert "No receipt for Sam Carer, £950.00 on 28 April 2026" not in page


def test_filing_a_document_ticks_it_off(client, owner, filled):
    client.force_login(owner)
    response = client.post(reverse("budget:record_add"), {"item": "insurance", "relates_to": "2026-04-01",
                                                          "document": "", "file": pdf("insurance.pdf")})
    assert response.status_code == 302
    assert Record.objects.filter(item="insurance").exists()
    page = client.get(reverse("budget:checklist"), PERIOD).content.decode()
    assert "insurance certificate for 2026" not in page


def test_a_record_needs_a_document(client, owner, filled):
    client.force_login(owner)
    response = client.post(reverse("budget:record_add"), {"item": "dbs", "relates_to": "2026-04-01",
                                                          "document": ""})
    assert response.status_code == 400
    assert "Choose a document, or upload one" in response.content.decode()


def pack_zip(client) -> zipfile.ZipFile:
    response = client.post(reverse("budget:pack"), PERIOD)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="budget-review-pack-2026-04-01-to-')
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_pack_holds_the_summary_checklist_list_and_documents(client, owner, filled):
    client.force_login(owner)
    archive = pack_zip(client)
    names = sorted(archive.namelist())
    assert names == ["documents.csv", "documents/Bank statements/Statement 4.pdf",
                     "documents/Bank statements/Statement 5.pdf", "documents/Receipts/Wages slip April.pdf",
                     "money-in-and-out.csv", "summary.html", "summary.pdf"]
    assert SECRET in archive.read("documents/Receipts/Wages slip April.pdf")  # decrypted
    html = archive.read("summary.html").decode()
    for text in ('<html lang="en-GB">', "£3,900.00", "£3,017.75", "£882.25", "No bank statement for June 2026",
                 "within the contingency", '<th scope="col">Spending line</th>'):
        assert text in html, text
    listing = archive.read("documents.csv").decode()
    assert "documents/Receipts/Wages slip April.pdf,Wages slip April,\"Receipt: Sam Carer, £950.00 on 28 April 2026\"" \
        in listing
    assert archive.read("money-in-and-out.csv").decode().count("\n") == 11
    pdf_bytes = archive.read("summary.pdf")
    assert pdf_bytes.startswith(b"%PDF") and b"/Lang" in pdf_bytes and b"/Title" in pdf_bytes


def test_the_pdf_summary_says_the_same_figures(client, owner, filled):
    from accounts.budget import pack

    text = pack.summary_pdf(pack.gather(filled, D(2026, 4, 1), D(2026, 6, 30)))
    assert text.startswith(b"%PDF") and len(text) > 2000


def test_building_a_pack_stores_nothing_and_is_logged(client, owner, filled, document_root):
    client.force_login(owner)
    before = stored_files(document_root)
    pack_zip(client)
    assert stored_files(document_root) == before
    assert DocumentEvent.objects.filter(owner=owner, action="exported").count() == 3


def test_a_pack_for_a_bad_period_explains_and_sends_nothing(client, owner, filled):
    client.force_login(owner)
    response = client.post(reverse("budget:pack"), {"start": "2026-06-30", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "Choose a ‘to’ date on or after the ‘from’ date" in response.content.decode()


def test_the_pack_page_counts_queries_not_documents(client, owner, filled, django_assert_max_num_queries):
    """Guards an n+1 on document versions."""
    client.force_login(owner)
    with django_assert_max_num_queries(16):
        client.get(reverse("budget:pack"), PERIOD)
