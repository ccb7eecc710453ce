"""The review and audit pack: one zip, built as it is sent, never stored.

Inside: an accessible summary (HTML, and PDF made with fpdf2), the checklist with what is missing,
the list of documents, the money in and out as CSV, and the documents themselves, decrypted
chunk by chunk straight into the zip.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from accounts import crypto
from accounts import services as document_services
from accounts.exports import ZipSink, zip_member
from accounts.models import Document, DocumentVersion
from accounts.text import clean_filename, split_extension

from . import checklist, figures, services
from .models import Budget, ChecklistItem, Entry

FOLDERS = {
    ChecklistItem.BANK_STATEMENT: "Bank statements", ChecklistItem.PAYSLIP: "Payslips",
    ChecklistItem.TIMESHEET: "Timesheets", ChecklistItem.HMRC: "HMRC", ChecklistItem.PENSION: "Pension",
    ChecklistItem.INSURANCE: "Insurance", ChecklistItem.CONTRACT: "Contracts", ChecklistItem.DBS: "DBS checks",
    ChecklistItem.CARE_PLAN: "Care and support plan", ChecklistItem.OTHER: "Other records",
}


@dataclass
class PackEntry:
    entry: Entry
    payee: str
    note: str
    category: str


@dataclass
class PackDocument:
    document: Document
    version: DocumentVersion
    name: str
    why: str
    path: str = ""


@dataclass
class Pack:
    budget: Budget
    payer: str
    start: datetime.date
    end: datetime.date
    summary: figures.Summary
    checks: list[checklist.Check]
    entries: list[PackEntry]
    documents: list[PackDocument] = field(default_factory=list)
    made_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def missing_count(self) -> int:
        return sum(len(check.missing) for check in self.checks)

    @property
    def filename(self) -> str:
        return f"budget-review-pack-{self.start:%Y-%m-%d}-to-{self.end:%Y-%m-%d}.zip"


def _portable(name: str) -> str:
    """A file name every system can unzip (Windows refuses < > : " / \\ | ? *)."""
    return re.sub(r'[<>:"/\\|?*]', "_", name.replace(": ", " - "))


def _unique(path: str, used: set[str]) -> str:
    stem, extension = split_extension(path)
    candidate, counter = path, 2
    while candidate.lower() in used:
        candidate = f"{stem} ({counter}){extension}"
        counter += 1
    used.add(candidate.lower())
    return candidate


def gather(budget: Budget, start: datetime.date, end: datetime.date, *,
           only_documents: list[Document] | None = None) -> Pack:
    """Everything the pack holds for the period. With only_documents, just those documents."""
    names = services.category_names(budget)
    summary = figures.summarise(budget, start, end, names)
    entries = []
    for entry in budget.entries.current().filter(occurred_on__gte=start, occurred_on__lte=end).order_by(
            "occurred_on", "created_at"):
        details = services.read_entry(entry, budget)
        entries.append(PackEntry(entry, details.payee, details.note, names.get(entry.category_id, "")))
    records = list(budget.records.select_related("document"))
    in_period = [r for r in records if record_counts(r, start, end)]
    checks = checklist.check(budget, start, end, in_period,
                             [(e.entry, e.payee) for e in entries if e.entry.direction == Entry.Direction.OUT])
    pack = Pack(budget=budget, payer=services.read_payer(budget), start=start, end=end, summary=summary,
                checks=checks, entries=entries)
    wanted: dict = {}
    if only_documents is None:
        for item in entries:
            if item.entry.document_id:
                wanted.setdefault(item.entry.document_id, (
                    "Receipts", f"Receipt: {item.payee}, {figures.money(item.entry.amount_pence)} on "
                                f"{item.entry.occurred_on:%-d %B %Y}"))
        for record in in_period:
            wanted.setdefault(record.document_id, (
                FOLDERS[record.item], f"{record.get_item_display()} for {record.relates_to:%-d %B %Y}"))
    else:
        wanted = {document.pk: ("Documents", "Chosen to share") for document in only_documents}
    documents = (Document.objects.filter(owner=budget.owner, pk__in=wanted).prefetch_related("versions"))
    keyring = crypto.load_keyring()
    used: set[str] = set()
    for document in documents:
        versions = sorted(document.versions.all(), key=lambda version: version.number)
        if not versions:
            continue
        latest = versions[-1]
        name = document_services.read_details(document, keyring).name
        original = document_services.read_version_filename(latest, document, keyring)
        filename = document_services.download_filename(name=name, original=original)
        folder, why = wanted[document.pk]
        path = _unique(f"documents/{folder}/{_portable(clean_filename(filename)) or 'document'}", used)
        pack.documents.append(PackDocument(document=document, version=latest, name=name, why=why, path=path))
    pack.documents.sort(key=lambda item: item.path.lower())
    return pack


def record_counts(record, start: datetime.date, end: datetime.date) -> bool:
    often = next(often for item, often, _, _ in checklist.ITEMS if item == record.item) \
        if record.item != ChecklistItem.OTHER else "monthly"
    if often == checklist.STANDING:
        return record.relates_to <= end
    if often == checklist.YEARLY:
        return start.year <= record.relates_to.year <= end.year
    return start <= record.relates_to <= end


# Files in the zip ------------------------------------------------------------------------------------------------

def summary_html(pack: Pack) -> str:
    return render_to_string("budget/pack/summary.html", {"pack": pack, "summary": pack.summary})


def entries_csv(pack: Pack) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Date", "Money in", "Money out", "Paid to or from", "Spending line", "Note", "Receipt"])
    for item in pack.entries:
        amount = figures.money(item.entry.amount_pence)
        into = item.entry.direction == Entry.Direction.IN
        writer.writerow([item.entry.occurred_on.isoformat(), amount if into else "", "" if into else amount,
                         item.payee, item.category, item.note, "yes" if item.entry.document_id else ""])
    return buffer.getvalue()


def documents_csv(pack: Pack) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["File in this pack", "Document", "What it is", "Uploaded"])
    for item in pack.documents:
        writer.writerow([item.path, item.name, item.why, item.version.uploaded_at.date().isoformat()])
    return buffer.getvalue()


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def summary_pdf(pack: Pack) -> bytes:
    """The summary as a PDF: real text, document title and language, bookmarks, repeated table headings."""
    from fpdf import FPDF
    from fpdf.enums import TableHeadingsDisplay

    pdf = FPDF(format="A4")
    pdf.set_title(f"Budget review pack, {pack.start:%-d %B %Y} to {pack.end:%-d %B %Y}")
    pdf.set_lang("en-GB")
    pdf.set_creator("MyCareBudget")
    if (FONT_DIR / "DejaVuSans.ttf").exists():  # any character a member typed; else Latin-1 only
        pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        family, clean = "body", str
    else:
        family = "helvetica"

        def clean(text):
            return str(text).encode("latin-1", "replace").decode("latin-1")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    def heading(text: str, size: int = 14, level: int = 1) -> None:
        pdf.start_section(clean(text), level=level - 1)
        pdf.set_font(family, "B", size)
        pdf.multi_cell(0, 8, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def para(text: str) -> None:
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 5.5, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def table(rows: list[list[str]], widths: tuple) -> None:
        pdf.set_font(family, "", 9)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5.5,
                       repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE) as grid:
            for values in rows:
                row = grid.row()
                for value in values:
                    row.cell(clean(value))
        pdf.ln(4)

    money, summary = figures.money, pack.summary
    heading(f"Budget review pack: {pack.start:%-d %B %Y} to {pack.end:%-d %B %Y}", 16)
    para(f"Budget paid by {pack.payer}: {money(pack.budget.amount_pence)} "
         f"{pack.budget.get_frequency_display().lower()}. {pack.budget.get_management_display()}. "
         f"Made on {timezone.localtime(pack.made_at):%-d %B %Y}.")
    heading("Money in and out")
    table([["", "Amount"], ["Balance at the start", money(summary.opening)], ["Money in", money(summary.money_in)],
           [f"Expected in ({len(summary.payments_due)} payments)", money(summary.expected_in)],
           ["Money out", money(summary.money_out)], ["Balance at the end", money(summary.closing)],
           ["Contingency allowed", money(summary.underspend.contingency)]], (3, 1))
    heading("Underspend")
    para(summary.underspend.words_for_others)
    heading("Month by month")
    table([["Month", "Money in", "Money out", "Balance at the end"]]
          + [[f"{row.month:%B %Y}", money(row.money_in), money(row.money_out), money(row.closing)]
             for row in summary.months], (2, 1, 1, 1))
    heading("Money out by spending line")
    table([["Spending line", "Planned", "Spent", "Difference"]]
          + [[row.name, money(row.planned), money(row.spent), money(row.left)] for row in summary.categories],
          (2, 1, 1, 1))
    heading("Checklist")
    for check in pack.checks:
        status = "complete" if check.is_complete else f"{len(check.missing)} missing"
        para(f"{check.label}: {status}. {check.why[0].upper()}{check.why[1:]}.")
        for line in check.missing[:30]:
            para(f"  - {line}")
        if len(check.missing) > 30:
            para(f"  - and {len(check.missing) - 30} more (see summary.html)")
    heading("Documents in this pack")
    if pack.documents:
        table([["Document", "What it is", "File"]] + [[d.name, d.why, d.path] for d in pack.documents], (2, 2, 3))
    else:
        para("No documents are attached for this period.")
    return bytes(pdf.output())


def stream(pack: Pack, *, include_summary: bool = True) -> Iterator[bytes]:
    """Yield the zip. Documents are decrypted into it chunk by chunk; nothing is written to disk."""
    sink = ZipSink()
    owner = pack.budget.owner
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if include_summary:
            archive.writestr("summary.html", summary_html(pack))
            yield sink.take()
            archive.writestr("summary.pdf", summary_pdf(pack))
            yield sink.take()
            archive.writestr("money-in-and-out.csv", entries_csv(pack))
        archive.writestr("documents.csv", documents_csv(pack))
        yield sink.take()
        for item in pack.documents:
            with archive.open(zip_member(item.path, item.version.uploaded_at), "w", force_zip64=True) as member:
                for chunk in document_services.open_version(document=item.document, version=item.version,
                                                            owner=owner):
                    member.write(chunk)
                    yield sink.take()
    yield sink.take()
