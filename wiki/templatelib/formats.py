"""Making a template's files: .docx and .odt for documents; .xlsx, .ods and .csv for sheets.

One source (the template's Markdown, fields and layout), several formats. Called when a
version is published (blank copies, stored) and when a member fills one in (their copy,
made for them and never stored here).
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from wiki.templatelib import blocks as md
from wiki.templatelib.fields import Field, fill, format_value
from wiki.templatelib.sheets import LAYOUTS, Layout

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}
FORMAT_LABELS = {
    "docx": "Word document", "odt": "OpenDocument text", "xlsx": "Excel workbook",
    "ods": "OpenDocument spreadsheet", "csv": "CSV (plain table)",
}


@dataclass
class Source:
    """Everything a file is made from."""

    title: str
    body: str
    fields: list[Field]
    layout: str
    footer: str
    values: dict | None = None  # None: the blank copy


def make(source: Source, fmt: str) -> bytes:
    return {"docx": _docx, "odt": _odt, "xlsx": _xlsx, "ods": _ods, "csv": _csv}[fmt](source)


def footer_text(*, title: str, number: int, checked: datetime.date) -> str:
    return (f"{title}: MyCareBudget template, version {number}, facts checked {checked.day} {checked:%B %Y}. "
            "General information, not legal advice: check anything about pay, tax or employment law with your "
            "payroll provider or an employment adviser.")


# Documents --------------------------------------------------------------------------------------

def _docx(source: Source) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = source.title
    document.core_properties.author = "MyCareBudget"

    def add_runs(paragraph, text):
        for piece, is_bold in md.runs(text, source.fields, source.values):
            lines = piece.split("\n")
            for index, line in enumerate(lines):
                run = paragraph.add_run(line)
                run.bold = is_bold or None
                if index < len(lines) - 1:
                    run.add_break()

    for block in md.parse(source.body):
        if block.kind == "heading":
            add_runs(document.add_heading(level=min(block.level, 3) if block.level > 1 else 1), block.text)
        elif block.kind == "bullet":
            add_runs(document.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "number":
            add_runs(document.add_paragraph(style="List Number"), block.text)
        elif block.kind == "check":
            add_runs(document.add_paragraph(), "☐ " + block.text)
        elif block.kind == "table":
            width = max(len(row) for row in block.rows)
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for row_index, row in enumerate(block.rows):
                cells = table.add_row().cells
                for cell, text in zip(cells, row + [""] * (width - len(row)), strict=True):
                    add_runs(cell.paragraphs[0], f"**{text}**" if row_index == 0 and text else text)
        else:
            add_runs(document.add_paragraph(), block.text)
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run(source.footer).font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _odt(source: Source) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        FontFace,
        Footer,
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TableColumnProperties,
        TextProperties,
    )
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, P, Span

    document = OpenDocumentText()
    document.fontfacedecls.addElement(FontFace(name="Arial", fontfamily="Arial"))
    body_style = Style(name="Standard", family="paragraph")
    body_style.addElement(TextProperties(fontname="Arial", fontsize="11pt"))
    body_style.addElement(ParagraphProperties(marginbottom="0.2cm"))
    document.styles.addElement(body_style)
    headings = {}
    for level, size in ((1, "18pt"), (2, "14pt"), (3, "12pt")):
        style = Style(name=f"Heading_20_{level}", displayname=f"Heading {level}", family="paragraph",
                      parentstylename="Standard", defaultoutlinelevel=str(level))
        style.addElement(TextProperties(fontsize=size, fontweight="bold"))
        style.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm"))
        document.styles.addElement(style)
        headings[level] = style
    bold = Style(name="Strong", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.styles.addElement(bold)
    small = Style(name="Footer", family="paragraph", parentstylename="Standard")
    small.addElement(TextProperties(fontsize="8pt"))
    document.styles.addElement(small)
    page = PageLayout(name="Page")
    page.addElement(PageLayoutProperties(margin="2cm"))
    document.automaticstyles.addElement(page)
    master = MasterPage(name="Standard", pagelayoutname=page)
    footer = Footer()
    footer.addElement(P(stylename=small, text=source.footer))
    master.addElement(footer)
    document.masterstyles.addElement(master)
    column_style = Style(name="Column", family="table-column")
    column_style.addElement(TableColumnProperties(columnwidth="4cm"))
    document.automaticstyles.addElement(column_style)

    def add_runs(element, text):
        for piece, is_bold in md.runs(text, source.fields, source.values):
            target = Span(stylename=bold) if is_bold else element
            for index, line in enumerate(piece.split("\n")):
                if index:
                    target.addElement(LineBreak())
                target.addText(line)
            if is_bold:
                element.addElement(target)
        return element

    # Lists are written as marked paragraphs: odfpy list styles look different in each word processor.
    count = 0
    for index, block in enumerate(md.parse(source.body)):
        count = count + 1 if block.kind == "number" else 0
        if block.kind == "heading":
            level = min(block.level, 3)
            document.text.addElement(add_runs(H(outlinelevel=level, stylename=headings[level]), block.text))
        elif block.kind in ("bullet", "number", "check"):
            mark = {"bullet": "•  ", "check": "☐  ", "number": f"{count}.  "}[block.kind]
            document.text.addElement(add_runs(P(stylename=body_style), mark + block.text))
        elif block.kind == "table":
            width = max(len(row) for row in block.rows)
            table = Table(name=f"Table{index}")
            table.addElement(TableColumn(numbercolumnsrepeated=width, stylename=column_style))
            for row_index, row in enumerate(block.rows):
                table_row = TableRow()
                for text in row + [""] * (width - len(row)):
                    cell = TableCell(valuetype="string")
                    cell.addElement(add_runs(P(stylename=body_style),
                                             f"**{text}**" if row_index == 0 and text else text))
                    table_row.addElement(cell)
                table.addElement(table_row)
            document.text.addElement(table)
        else:
            document.text.addElement(add_runs(P(stylename=body_style), block.text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


# Sheets -----------------------------------------------------------------------------------------

@dataclass
class Cell:
    value: object = None  # str, Decimal or None
    formula: str = ""  # Excel syntax, "=..."
    number_format: str = ""
    bold: bool = False


def _column_letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def sheet_grid(source: Source) -> tuple[Layout, list[list[Cell]], dict[str, str]]:
    """The main sheet as rows of cells, identical in every sheet format, and each field's cell."""
    layout = LAYOUTS[source.layout]
    values = source.values or {}
    grid: list[list[Cell]] = [[Cell(source.title, bold=True)]]
    field_cells = {}
    for field in source.fields:
        value = values.get(field.name)
        if field.type in ("money", "number"):
            shown = Decimal(value) if value not in (None, "") else None
        elif value in (None, ""):
            shown = None
        else:
            shown = format_value(field, value)
        grid.append([Cell(field.label, bold=True), Cell(shown, number_format="money" if field.type == "money"
                                                         else "")])
        field_cells[field.name] = f"$B${len(grid)}"
    grid.append([])
    header_row = len(grid) + 1
    grid.append([Cell(column.header, bold=True) for column in layout.columns])
    first, last = header_row + 1, header_row + layout.rows
    total_row = last + 1

    def formula(template: str, row: int) -> str:
        text = template.replace("{r}", str(row)).replace("{prev}", str(row - 1)).replace("{total}", str(total_row))
        return re.sub(r"\{field:([a-z0-9_]+)\}", lambda m: field_cells.get(m.group(1), "0"), text)

    for row in range(first, last + 1):
        cells = []
        for index, column in enumerate(layout.columns):
            template = column.first_formula if (row == first and column.first_formula) else column.formula
            if template:
                cells.append(Cell(formula=formula(template, row), number_format=column.number_format))
            elif index == 0 and layout.first_column:
                cells.append(Cell(layout.first_column[row - first]))
            else:
                cells.append(Cell(number_format=column.number_format))
        grid.append(cells)
    if any(column.total for column in layout.columns):
        totals = [Cell("Total", bold=True)]
        for index, column in enumerate(layout.columns[1:], start=1):
            letter = _column_letter(index)
            totals.append(Cell(formula=f"=SUM({letter}{first}:{letter}{last})", number_format=column.number_format,
                               bold=True) if column.total else Cell())
        grid.append(totals)
    else:
        grid.append([])
    if layout.summary:
        grid.append([])
        for label, template, number_format in layout.summary:
            grid.append([Cell(label, bold=True), Cell(formula=formula(template, 0), number_format=number_format)])
    return layout, grid, field_cells


def _notes(source: Source) -> list[str]:
    return [md.plain(block.text, source.fields, source.values) if block.kind != "table"
            else " | ".join(md.plain(cell, source.fields, source.values) for cell in block.rows[0])
            for block in md.parse(source.body)] + ["", source.footer]


XLSX_FORMATS = {"money": "£#,##0.00", "hours": "0.00"}


def _xlsx(source: Source) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    layout, grid, _ = sheet_grid(source)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = source.title[:31].replace("/", " ").replace(":", " ")
    for row_index, row in enumerate(grid, start=1):
        for column_index, cell in enumerate(row, start=1):
            target = sheet.cell(row=row_index, column=column_index)
            if cell.formula:
                target.value = cell.formula
            elif isinstance(cell.value, Decimal):
                target.value = float(cell.value)
            elif cell.value is not None:
                target.value = str(cell.value)
                target.data_type = "s"  # text stays text, even if it starts with "="
            if cell.bold:
                target.font = Font(bold=True)
            if cell.number_format:
                target.number_format = XLSX_FORMATS[cell.number_format]
    for index, column in enumerate(layout.columns):
        sheet.column_dimensions[_column_letter(index)].width = max(column.width, 18 if index < 2 else 0)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    notes = workbook.create_sheet("How to use")
    notes.column_dimensions["A"].width = 100
    for row_index, line in enumerate(_notes(source), start=1):
        notes.cell(row=row_index, column=1, value=line).alignment = Alignment(wrap_text=True)
    workbook.properties.title = source.title
    workbook.properties.creator = "MyCareBudget"
    workbook.calculation.fullCalcOnLoad = True  # no cached results: work every formula out on opening
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_REFERENCE = re.compile(r"(?<![A-Za-z$])(\$?[A-Z]{1,2}\$?\d+)(?::(\$?[A-Z]{1,2}\$?\d+))?")


def odf_formula(formula: str) -> str:
    """An Excel-syntax formula in OpenFormula syntax: [.A1], [.A1:.A9], ; between arguments."""
    body = _REFERENCE.sub(lambda m: f"[.{m.group(1)}:.{m.group(2)}]" if m.group(2) else f"[.{m.group(1)}]",
                          formula[1:])
    return "of:=" + body.replace(",", ";")


def _ods(source: Source) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    layout, grid, _ = sheet_grid(source)
    document = OpenDocumentSpreadsheet()
    bold = Style(name="Bold", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    table = Table(name=source.title[:31])
    for index, column in enumerate(layout.columns):
        style = Style(name=f"col{index}", family="table-column")
        style.addElement(TableColumnProperties(columnwidth=f"{max(column.width, 18 if index < 2 else 0) * 0.2:.1f}cm"))
        document.automaticstyles.addElement(style)
        table.addElement(TableColumn(stylename=style))
    for row in grid:
        table_row = TableRow()
        for cell in row:
            attributes = {"stylename": bold} if cell.bold else {}
            if cell.formula:
                element = TableCell(formula=odf_formula(cell.formula), valuetype="float", value="0", **attributes)
            elif isinstance(cell.value, Decimal):
                element = TableCell(valuetype="float", value=str(cell.value), **attributes)
                element.addElement(P(text=str(cell.value)))
            elif cell.value:
                element = TableCell(valuetype="string", **attributes)
                element.addElement(P(text=str(cell.value)))
            else:
                element = TableCell()
            table_row.addElement(element)
        if not row:
            table_row.addElement(TableCell())
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    notes = Table(name="How to use")
    for line in _notes(source):
        notes_row = TableRow()
        notes_cell = TableCell(valuetype="string")
        notes_cell.addElement(P(text=line))
        notes_row.addElement(notes_cell)
        notes.addElement(notes_row)
    document.spreadsheet.addElement(notes)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _csv(source: Source) -> bytes:
    """The main sheet only, formulas as text: spreadsheet programs work them out on opening."""
    _, grid, _ = sheet_grid(source)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in grid:
        writer.writerow([cell.formula or _csv_text(cell.value) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(value) -> str:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, Decimal):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def filled_text(source: Source) -> str:
    """All the words of a copy, for the check that nothing is left unfilled."""
    return source.title + "\n" + fill(source.body, source.fields, source.values)
