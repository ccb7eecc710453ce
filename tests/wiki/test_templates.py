"""The template library: publishing, files, downloads, filling in, moderation, search."""

import datetime
import io
import logging
import zipfile

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Document
from mycarebudget.moderation.powers import NotAModerator
from tests.accounts.fixtures import document_key, document_root  # noqa: F401
from tests.factories import UserFactory
from tests.wiki import sheet_formulas as sheets
from wiki.templatelib import services
from wiki.templatelib.fields import parse_fields
from wiki.templatelib.models import Template, TemplateFile, TemplateProposal
from wiki.templatelib.starter import load_starter_templates, starter_templates

pytestmark = pytest.mark.django_db


def template_content(**overrides) -> dict:
    content = {
        "title": "PA offer letter", "slug": "pa-offer-letter", "summary": "Offer your new PA the job in writing.",
        "job": "recruiting-a-pa", "suits": "direct-payment adult", "shape": "document", "layout": "",
        "document_kind": "letter", "fields": "pa_name | PA's name | text\nstart_date | Start date | date\n"
                                             "hourly_rate | Hourly rate | money",
        "about": "## What it is for\n\nOffering the job.\n",
        "body": "# Offer\n\nDear {{ pa_name }},\n\nYou start on **{{ start_date }}** at {{hourly_rate}} an hour.\n\n"
                "- [ ] Sign and return\n- Keep a copy\n\n| Item | Detail |\n|---|---|\n| Start | {{ start_date }} |\n",
        "sources": "GOV.UK, Employment contracts | https://www.gov.uk/employment-contracts-and-conditions",
        "last_checked": datetime.date(2026, 12, 1), "next_review": datetime.date(2027, 6, 1),
    }
    content.update(overrides)
    return content


@pytest.fixture
def make_template(db, django_capture_on_commit_callbacks):
    def make(author=None, **overrides) -> Template:
        with django_capture_on_commit_callbacks(execute=True):
            version = services.publish_template(template=None, content=template_content(**overrides),
                                                author=author, edit_summary="First version")
        return Template.objects.get(pk=version.template_id)

    return make


@pytest.fixture
def starters(db):
    """A few starter templates (the check of every one is test_every_starter_template_opens_...)."""
    load_starter_templates(only={"pa-timesheet", "holiday-record-and-calculator", "weekly-rota",
                                 "written-statement-of-employment-particulars", "induction-checklist"})
    return {template.slug: template for template in Template.objects.all()}


def docx_text(data: bytes) -> str:
    from docx import Document as WordDocument

    document = WordDocument(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def odf_text(data: bytes) -> str:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    document = load(io.BytesIO(data))
    return "\n".join(teletype.extractText(element) for kind in (H, P)
                     for element in document.getElementsByType(kind))


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)


def file_text(fmt: str, data: bytes) -> str:
    """Open the file with the library made for its format and return its words."""
    if fmt == "docx":
        return docx_text(data)
    if fmt in ("odt", "ods"):
        return odf_text(data)
    if fmt == "xlsx":
        return xlsx_text(data)
    return data.decode("utf-8-sig")


# Publishing and files ---------------------------------------------------------------------------

def test_publishing_stores_each_format_once(make_template):
    template = make_template()
    files = TemplateFile.objects.filter(version__template=template)
    assert sorted(files.values_list("format", flat=True)) == ["docx", "odt"]
    assert all(file.size == len(bytes(file.data)) > 0 for file in files)


def test_download_serves_the_stored_file_without_making_it_again(make_template, client, monkeypatch):
    template = make_template()
    stored = bytes(services.stored_file(template, "docx").data)
    monkeypatch.setattr("wiki.templatelib.formats.make", lambda *a, **k: pytest.fail("made per download"))
    response = client.get(reverse("templatelib:template_download", args=[template.slug, "docx"]))
    assert response.status_code == 200
    assert response.content == stored
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_blank_document_opens_and_shows_gaps_for_fields(make_template, client, fmt):
    template = make_template()
    response = client.get(reverse("templatelib:template_download", args=[template.slug, fmt]))
    text = file_text(fmt, response.content)
    assert "Dear [PA's name]," in text
    assert "{{" not in text


def test_download_count_is_a_number_only(make_template, client):
    template = make_template()
    for _ in range(3):
        client.get(reverse("templatelib:template_download", args=[template.slug, "odt"]))
    template.refresh_from_db()
    assert template.download_count == 3
    page = client.get(template.get_absolute_url()).content.decode()
    assert "<dt>Downloads</dt><dd>3</dd>" in page


def test_a_format_the_template_does_not_have_is_404(make_template, client):
    template = make_template()
    assert client.get(reverse("templatelib:template_download", args=[template.slug, "xlsx"])).status_code == 404


def test_undeclared_marker_is_refused_by_name(make_template):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_template(body="Dear {{ pa_nmae }}")
    assert "pa_nmae" in str(error.value.message_dict["body"])


def test_sheet_layout_needs_the_fields_its_formulas_use(make_template):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_template(shape="sheet", layout="timesheet", body="Timesheet", fields="pa_name | PA | text")
    assert "hourly_rate" in str(error.value.message_dict["fields"])


def test_text_that_looks_like_a_formula_stays_text_in_sheets(make_template):
    template = make_template(title="=HYPERLINK(\"http://x\")", slug="sheet", shape="sheet", layout="receipts",
                             body="Receipts", fields="")
    data = bytes(services.stored_file(template, "csv").data)
    assert sheets.from_csv(data).cells["A1"].startswith("'=HYPERLINK")
    from openpyxl import load_workbook

    cell = load_workbook(io.BytesIO(bytes(services.stored_file(template, "xlsx").data))).worksheets[0]["A1"]
    assert cell.data_type == "s"


# Pages --------------------------------------------------------------------------------------------

def test_index_groups_templates_by_job(starters, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("templatelib:template_index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index('id="employing-a-pa"') < page.index('id="pay-and-holiday"')
    assert page.index("PA timesheet") > page.index('id="pay-and-holiday"')


def test_description_page_shows_dates_tags_sources_and_files(starters, client):
    template = starters["pa-timesheet"]
    page = client.get(template.get_absolute_url()).content.decode()
    for text in ("Facts last checked", "Next review due", "Direct payment", "Sources", "download.xlsx",
                 "download.ods", "download.csv", "How to fill it in"):
        assert text in page


def test_description_page_is_two_queries(starters, client, django_assert_num_queries):
    """The template row and its files' sizes (never their bytes)."""
    with django_assert_num_queries(2):
        assert client.get("/templates/pa-timesheet/").status_code == 200


def test_print_view_shows_the_template(starters, client):
    template = starters["written-statement-of-employment-particulars"]
    page = client.get(reverse("templatelib:template_print", args=[template.slug])).content.decode()
    assert "This statement sets out the main terms" in page and "Employee: [PA" in page


def test_id_address_and_old_address_lead_to_the_template(make_template, client):
    template = make_template()
    response = client.get(reverse("templatelib:template_by_id", args=[template.pk]))
    assert response["Location"] == template.get_absolute_url()
    services.publish_template(template=template, content=template_content(slug="offer-letter-for-a-pa"),
                              author=None, edit_summary="Rename")
    old = client.get("/templates/pa-offer-letter/")
    assert old.status_code == 301 and old["Location"] == "/templates/offer-letter-for-a-pa/"
    old_file = client.get("/templates/pa-offer-letter/download.docx")
    assert old_file.status_code == 301 and old_file["Location"] == "/templates/offer-letter-for-a-pa/download.docx"


def test_history_and_diff_show_what_changed(make_template, client):
    template = make_template()
    services.publish_template(template=template, content=template_content(body="Dear {{ pa_name }}, welcome."),
                              author=None, edit_summary="Shorter")
    history = client.get(reverse("templatelib:template_history", args=[template.slug]))
    assert "Version 2" in history.content.decode()
    diff = client.get(reverse("templatelib:template_compare", args=[template.slug, 1, 2])).content.decode()
    assert "Added: </span>Dear {{ pa_name }}, welcome." in diff


# Spreadsheets: the formulas work -----------------------------------------------------------------

def _timesheet_grid(data, reader):
    grid = reader(data)
    header = sheets.find(grid, "Hours worked")
    return grid, header


@pytest.mark.parametrize("reader,fmt", [(sheets.from_xlsx, "xlsx"), (sheets.from_ods, "ods"),
                                        (sheets.from_csv, "csv")])
def test_timesheet_pay_is_hours_times_rate(starters, client, reader, fmt):
    template = starters["pa-timesheet"]
    data = client.get(reverse("templatelib:template_download", args=[template.slug, fmt])).content
    grid, header = _timesheet_grid(data, reader)
    grid.set(sheets.right_of(sheets.find(grid, "Hourly rate (£)")), 12.71)
    hours = [7.5, 4, 3.25, 8]
    for offset, value in enumerate(hours, start=1):
        grid.set(sheets.below(header, offset), value)
    total_row = sheets.find(grid, "Total")
    pay_total = sheets.right_of(total_row, 4)
    assert grid.value(sheets.right_of(total_row, 3)) == pytest.approx(22.75)
    assert grid.value(pay_total) == pytest.approx(22.75 * 12.71)
    holiday = sheets.right_of(sheets.find(grid, "Holiday earned at 12.07% of hours worked (hours)"))
    assert grid.value(holiday) == pytest.approx(22.75 * 0.1207)


@pytest.mark.parametrize("reader,fmt", [(sheets.from_xlsx, "xlsx"), (sheets.from_ods, "ods"),
                                        (sheets.from_csv, "csv")])
def test_holiday_calculator_gives_12_07_percent_of_hours(starters, client, reader, fmt):
    template = starters["holiday-record-and-calculator"]
    grid = reader(client.get(reverse("templatelib:template_download", args=[template.slug, fmt])).content)
    grid.set(sheets.right_of(sheets.find(grid, "Holiday hours carried over from last year")), 5)
    grid.set(sheets.right_of(sheets.find(grid, "Days worked each week (regular hours only)")), 3)
    header = sheets.find(grid, "Hours worked")
    for offset, (worked, taken) in enumerate([(40, 0), (25.5, 8), (12, 0)], start=1):
        grid.set(sheets.below(header, offset), worked)
        grid.set(sheets.right_of(sheets.below(header, offset), 2), taken)
    earned = sheets.right_of(sheets.find(grid, "Holiday earned: 12.07% of all hours worked (hours)"))
    assert grid.value(earned) == pytest.approx(77.5 * 0.1207)
    third_row_balance = sheets.right_of(sheets.below(header, 3), 3)
    assert grid.value(third_row_balance) == pytest.approx(5 + 77.5 * 0.1207 - 8)
    left = sheets.right_of(sheets.find(grid, "Holiday left to take (hours)"))
    assert grid.value(left) == pytest.approx(5 + 77.5 * 0.1207 - 8)
    yearly = sheets.right_of(sheets.find(grid, "Yearly holiday for fixed days: 5.6 weeks, at most 28 days (days)"))
    assert grid.value(yearly) == pytest.approx(16.8)


def test_xlsx_is_marked_to_calculate_on_opening(starters, client):
    data = client.get("/templates/pa-timesheet/download.xlsx").content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml")


# Filling in -------------------------------------------------------------------------------------

FILLED = {"pa_name": "Sam Okafor", "start_date": "2027-01-04", "hourly_rate": "12.71", "format": "docx"}


def test_filling_in_needs_a_signed_in_member(make_template, client):
    template = make_template()
    response = client.get(reverse("templatelib:template_fill", args=[template.slug]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_filled_download_has_the_values_and_no_gaps(make_template, client, user, fmt):
    template = make_template()
    client.force_login(user)
    response = client.post(reverse("templatelib:template_fill", args=[template.slug]),
                           {**FILLED, "format": fmt, "action": "download"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text = file_text(fmt, response.content)
    assert "Dear Sam Okafor," in text and "4 January 2027" in text and "£12.71" in text
    assert "[" not in text and "{{" not in text


def test_bad_input_is_explained_beside_the_field_and_kept(make_template, client, user):
    template = make_template()
    client.force_login(user)
    response = client.post(reverse("templatelib:template_fill", args=[template.slug]),
                           {**FILLED, "hourly_rate": "twelve", "action": "download"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page and "There is a problem" in page
    assert 'aria-describedby="id_hourly_rate_helptext id_hourly_rate-error"' in page
    assert 'id="id_hourly_rate-error"' in page and "Hourly rate must be a number" in page
    assert 'value="Sam Okafor"' in page and 'value="twelve"' in page


def test_filled_copy_is_saved_encrypted_into_private_documents(make_template, client, user, document_root):  # noqa: F811
    template = make_template(document_kind="pa_contract")
    client.force_login(user)
    response = client.post(reverse("templatelib:template_fill", args=[template.slug]),
                           {**FILLED, "action": "save"})
    document = Document.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.kind == "pa_contract"
    stored = b"".join(path.read_bytes() for path in document_root.rglob("*") if path.is_file())
    assert b"Sam Okafor" not in stored and b"word/document.xml" not in stored  # ciphertext only
    download = client.get(reverse("accounts:document_download", args=[document.pk]))
    assert "Dear Sam Okafor," in docx_text(b"".join(download.streaming_content))


def test_another_member_gets_404_for_the_saved_copy(make_template, client, user, document_root):  # noqa: F811
    template = make_template()
    client.force_login(user)
    client.post(reverse("templatelib:template_fill", args=[template.slug]), {**FILLED, "action": "save"})
    document = Document.objects.get(owner=user)
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:document_detail", args=[document.pk])).status_code == 404
    assert client.get(reverse("accounts:document_download", args=[document.pk])).status_code == 404


def test_a_saved_sheet_is_an_opendocument_spreadsheet_with_its_type(starters, client, user, document_root):  # noqa: F811
    client.force_login(user)
    client.post("/templates/pa-timesheet/fill/", {"pa_name": "Sam", "hourly_rate": "13", "format": "xlsx",
                                                   "action": "save"})
    document = Document.objects.get(owner=user)
    assert document.kind == "timesheet"
    data = b"".join(client.get(reverse("accounts:document_download", args=[document.pk])).streaming_content)
    grid = sheets.from_ods(data)
    assert grid.value(sheets.right_of(sheets.find(grid, "Hourly rate (£)"))) == 13


def test_nothing_typed_is_stored_or_logged(make_template, client, user, caplog):
    template = make_template()
    client.force_login(user)
    secret = "Zebedee Quartermaine"
    tables_before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("templatelib:template_fill", args=[template.slug]),
                    {**FILLED, "pa_name": secret, "action": "download"})
    assert secret not in caplog.text
    assert _row_counts() == tables_before


def _row_counts() -> dict:
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.label not in {"sessions.Session"}}


def test_fill_page_query_count(make_template, client, user, django_assert_max_num_queries):
    template = make_template()
    client.force_login(user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("templatelib:template_fill", args=[template.slug])).status_code == 200


# Proposing and moderation -----------------------------------------------------------------------

def _form_data(**overrides) -> dict:
    content = template_content(**overrides)
    data = {name: value for name, value in content.items() if name != "suits"}
    data["suits"] = content["suits"].split()
    data["last_checked"], data["next_review"] = "2026-12-01", "2027-06-01"
    data["edit_summary"] = "New template"
    return data


def test_a_proposed_template_waits_for_a_moderator(client, user, moderator, django_capture_on_commit_callbacks):
    client.force_login(user)
    response = client.post(reverse("templatelib:template_new"), _form_data())
    assert response.status_code == 302
    proposal = TemplateProposal.objects.get()
    assert proposal.is_pending() and not Template.objects.exists()
    assert client.get("/templates/pa-offer-letter/").status_code == 404
    client.force_login(moderator)
    queue = client.get(reverse("templatelib:moderation_queue")).content.decode()
    assert "PA offer letter" in queue and "New template" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("templatelib:moderation_approve", args=[proposal.pk]), {"note": ""})
    template = Template.objects.get()
    assert template.revision == 1 and services.stored_file(template, "docx") is not None
    assert mail.outbox[-1].to == [user.email] and "is published" in mail.outbox[-1].subject


def test_a_change_can_be_rejected_with_a_reason(make_template, client, user, moderator,
                                               django_capture_on_commit_callbacks):
    template = make_template()
    client.force_login(user)
    data = _form_data(summary="A better summary.", base_revision=1)
    data["edit_summary"] = "Clearer summary"
    client.post(reverse("templatelib:template_edit", args=[template.slug]), data)
    proposal = TemplateProposal.objects.get()
    client.force_login(moderator)
    review = client.get(reverse("templatelib:moderation_review", args=[proposal.pk])).content.decode()
    assert "A better summary." in review
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("templatelib:moderation_reject", args=[proposal.pk]), {"reason": "Not clearer"})
    proposal.refresh_from_db()
    template.refresh_from_db()
    assert proposal.status == "rejected" and template.summary == "Offer your new PA the job in writing."
    assert "Not clearer" in mail.outbox[-1].body


def test_members_cannot_approve(make_template, client, user):
    proposal = TemplateProposal.objects.create(author=user, edit_summary="x", **template_content())
    client.force_login(UserFactory())
    response = client.post(reverse("templatelib:moderation_approve", args=[proposal.pk]), {"note": ""})
    assert response.status_code == 403
    with pytest.raises(NotAModerator):
        services.approve_change(proposal=proposal, moderator=user)
    assert not Template.objects.exists()


def test_second_approval_is_refused(client, user, moderator):
    proposal = TemplateProposal.objects.create(author=user, edit_summary="x", **template_content())
    services.approve_change(proposal=proposal, moderator=moderator)
    with pytest.raises(services.AlreadyDecided):
        services.approve_change(proposal=proposal, moderator=moderator)
    assert Template.objects.get().revision == 1


def test_form_errors_name_the_field(client, user):
    client.force_login(user)
    response = client.post(reverse("templatelib:template_new"), _form_data(body="Hello {{ nobody }}"))
    page = response.content.decode()
    assert response.status_code == 400 and 'id="id_body-error"' in page and "{{ nobody }}" in page


# Search -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("word,title", [("rota", "Weekly rota"), ("timesheet", "PA timesheet"),
                                        ("contract", "Written statement of employment particulars")])
def test_search_finds_templates_marked_template(starters, client, word, title):
    page = client.get(reverse("search"), {"q": word}).content.decode()
    assert title in page
    hit = page[page.index(title) - 600:page.index(title)]
    assert ">Template</strong>" in hit


# Starter templates ------------------------------------------------------------------------------

def test_loading_twice_changes_nothing_and_keeps_community_edits(starters):
    assert len(load_starter_templates()) == len(starter_templates()) - len(starters)
    template = starters["pa-timesheet"]
    services.publish_template(template=template, content={**template.content(), "summary": "Community words."},
                              author=None, edit_summary="Edit")
    assert load_starter_templates() == []
    template.refresh_from_db()
    assert template.summary == "Community words." and template.revision == 2


def sample_values(fields) -> dict:
    samples = {"text": "Sample text", "long": "Line one\nLine two", "date": datetime.date(2027, 1, 4),
               "money": "12.71", "number": "3"}
    return {field.name: samples[field.type] for field in fields}


@pytest.mark.parametrize("content", starter_templates(), ids=lambda content: content["slug"])
def test_every_starter_template_opens_and_fills_completely(content, db):
    version = services.publish_template(template=None, content=content, author=None, edit_summary="Starter")
    template = version.template
    fields = parse_fields(template.fields)
    values = sample_values(fields)
    for fmt in template.formats():
        blank = file_text(fmt, bytes(services.stored_file(template, fmt).data))
        assert len(blank) > 100
        _, data = services.filled_file(template=template, fmt=fmt, values=values)
        text = file_text(fmt, data)
        assert "{{" not in text
        assert not [field.blank for field in fields if field.blank in text], fmt
        if fields and template.shape == "document":
            assert "Sample text" in text or "4 January 2027" in text or "£12.71" in text


def test_there_are_at_least_thirty_checked_starter_templates_covering_every_job():
    from wiki.templatelib.models import Job

    contents = starter_templates()
    assert len(contents) >= 30
    assert {content["job"] for content in contents} == set(Job.values)
    for content in contents:
        assert content["sources"] and content["next_review"] > content["last_checked"], content["slug"]
        assert "## What it is for" in content["about"], content["slug"]


def test_suspended_members_cannot_propose_templates(client, moderator):
    from forum import services as forum_services

    member = UserFactory()
    forum_services.suspend_member(member=member, moderator=moderator, reason="Spam", days=7)
    client.force_login(member)
    response = client.post(reverse("templatelib:template_new"), _form_data())
    assert response.status_code == 403 and "Your account is suspended" in response.content.decode()
    with pytest.raises(services.MemberSuspended):
        services.propose_change(template=None, author=member, content=template_content(), edit_summary="x",
                                base_revision=0)
    assert not TemplateProposal.objects.exists()
