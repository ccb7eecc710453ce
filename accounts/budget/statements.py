"""Reading bank statements exported as CSV: the common UK layouts, or any layout the member maps.

Pure functions: text in, rows or row-numbered problems out. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

MAX_ROWS = 20_000
DATE_FORMATS = [("%d/%m/%Y", "31/01/2026"), ("%d/%m/%y", "31/01/26"), ("%Y-%m-%d", "2026-01-31"),
                ("%d %b %Y", "31 Jan 2026"), ("%d-%b-%Y", "31-Jan-2026"), ("%d %B %Y", "31 January 2026"),
                ("%d-%m-%Y", "31-01-2026"), ("%d.%m.%Y", "31.01.2026"), ("%d-%b-%y", "31-Jan-26")]
AMOUNT = re.compile(r"^(?P<sign>[-+])?£?(?P<pounds>\d+)(?:\.(?P<pence>\d{1,2}))?$")

# Known layouts, by their header row (lower case): what the bank calls each column.
LAYOUTS = {
    "Barclays": {"date": "date", "description": "memo", "amount": "amount"},
    "Nationwide": {"date": "date", "description": "description", "out": "paid out", "in": "paid in"},
    "Lloyds, Halifax or Bank of Scotland": {"date": "transaction date", "description": "transaction description",
                                            "out": "debit amount", "in": "credit amount"},
    "Starling": {"date": "date", "description": "counter party", "amount": "amount (gbp)"},
    "Monzo": {"date": "date", "description": "name", "amount": "amount"},
}
DESCRIPTION_WORDS = ("description", "memo", "counter party", "payee", "name", "narrative", "details", "reference")
OUT_WORDS = ("paid out", "debit", "money out", "withdrawal", "out")
IN_WORDS = ("paid in", "credit", "money in", "deposit", "in")


class StatementError(Exception):
    """The file cannot be read as a statement at all (not text, no rows)."""


@dataclass
class Statement:
    header: list[str]  # names for the columns ("Column 1" ... when the file has no header row)
    rows: list[list[str]]  # data rows, without the header
    numbers: list[int]  # each row's line number in the file, for messages
    layout: str = ""  # the bank, when the header is one we know


@dataclass
class Mapping:
    date: int
    description: int
    amount: int | None = None  # one signed column (negative = money out) ...
    out: int | None = None  # ... or separate money-out and money-in columns
    into: int | None = None
    date_format: str = ""


@dataclass
class Row:
    number: int  # line in the file
    occurred_on: datetime.date
    description: str
    direction: str  # "in" or "out"
    amount_pence: int


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it in the UK."""
    if b"\x00" in data[:4096]:
        raise StatementError("This file is not a CSV file. Export your statement from your bank as CSV "
                             "(sometimes called ‘comma separated’ or ‘spreadsheet’)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _is_date(text: str) -> bool:
    return any(_parse_date(text, fmt) for fmt, _ in DATE_FORMATS)


def _parse_date(text: str, fmt: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 (a date, not a time)
    except ValueError:
        return None


def read(text: str) -> Statement:
    """Find the header row (banks like Nationwide put account details above it) and the data rows."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [row for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise StatementError(f"This file could not be read as CSV ({error}). Export it from your bank again") \
            from None
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(lines, start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise StatementError("The file is empty. Export your statement from your bank as CSV and try again")
    header_index = None
    for index, (_, row) in enumerate(numbered[:15]):
        cells = [cell.lower() for cell in row]
        if len(row) >= 2 and any("date" in cell for cell in cells):
            header_index = index
            break
        if len(row) >= 3 and _is_date(row[0]):
            break  # data straight away: no header row (HSBC)
    if header_index is None:
        width = max(len(row) for _, row in numbered)
        header, data = [f"Column {i + 1}" for i in range(width)], numbered
    else:
        header, data = numbered[header_index][1], numbered[header_index + 1:]
    if not data:
        raise StatementError("The file has a header row but no transactions")
    if len(data) > MAX_ROWS:
        raise StatementError(f"The file has more than {MAX_ROWS:,} rows. Export a shorter period")
    width = len(header)
    statement = Statement(header=header, rows=[row + [""] * (width - len(row)) for _, row in data],
                          numbers=[number for number, _ in data])
    lowered = [cell.lower() for cell in header]
    for name, columns in LAYOUTS.items():
        if all(column in lowered for column in columns.values()) and (
                name != "Barclays" or "subcategory" in lowered):
            statement.layout = name
            break
    return statement


def _find(lowered: list[str], words) -> int | None:
    for word in words:
        for index, cell in enumerate(lowered):
            if cell == word:
                return index
    for word in words:
        for index, cell in enumerate(lowered):
            if word in cell and len(word) > 3:
                return index
    return None


def guess_mapping(statement: Statement) -> Mapping:
    """The columns we think hold the date, the description and the amounts; the member can change them."""
    lowered = [cell.lower() for cell in statement.header]
    if statement.layout:
        known = LAYOUTS[statement.layout]
        index = {key: lowered.index(value) for key, value in known.items()}
        mapping = Mapping(date=index["date"], description=index["description"], amount=index.get("amount"),
                          out=index.get("out"), into=index.get("in"))
    else:
        date = _find(lowered, ("date", "transaction date", "posting date"))
        description = _find(lowered, DESCRIPTION_WORDS)
        out, into = _find(lowered, OUT_WORDS), _find(lowered, IN_WORDS)
        amount = _find(lowered, ("amount", "value", "amount (gbp)"))
        if date is None:  # no header: date, description, amount (HSBC's layout)
            date, description, amount = 0, 1 if len(lowered) > 1 else 0, 2 if len(lowered) > 2 else None
        mapping = Mapping(date=date, description=description if description is not None else min(1, len(lowered) - 1),
                          amount=None if out is not None and into is not None else amount,
                          out=out if amount is None or (out is not None and into is not None) else None,
                          into=into if amount is None or (out is not None and into is not None) else None)
    mapping.date_format = guess_date_format(statement, mapping.date)
    return mapping


def guess_date_format(statement: Statement, column: int) -> str:
    """The first format that reads every date in the column."""
    cells = [row[column] for row in statement.rows if column < len(row) and row[column]]
    for fmt, _ in DATE_FORMATS:
        if cells and all(_parse_date(cell, fmt) for cell in cells):
            return fmt
    return DATE_FORMATS[0][0]


def parse_amount(text: str) -> int | None:
    """'£1,234.50', '-12.5', '(12.50)' -> signed pence. None if empty; raises ValueError if not money."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("GBP", "")
    if not cleaned:
        return None
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    cleaned = cleaned.replace("£-", "-£").replace("-£", "-")
    match = AMOUNT.match(cleaned)
    if not match:
        raise ValueError(text)
    pence = int(match["pounds"]) * 100 + int((match["pence"] or "0").ljust(2, "0"))
    if match["sign"] == "-" or negative:
        pence = -pence
    return pence


def apply(statement: Statement, mapping: Mapping) -> Parsed:
    """Every row as money in or out, or a list of problems naming the row and what to do."""
    result = Parsed()
    fmt_example = dict(DATE_FORMATS).get(mapping.date_format, "31/01/2026")
    for number, cells in zip(statement.numbers, statement.rows, strict=True):
        def cell(index, cells=cells):
            return cells[index] if index is not None and index < len(cells) else ""

        problems = []
        day = _parse_date(cell(mapping.date), mapping.date_format) if cell(mapping.date) else None
        if day is None:
            problems.append(f"Row {number}: ‘{cell(mapping.date)[:40]}’ is not a date like {fmt_example}"
                            if cell(mapping.date) else f"Row {number}: the date is missing")
        description = " ".join(cell(mapping.description).split())[:200]
        pence = None
        try:
            if mapping.amount is not None:
                pence = parse_amount(cell(mapping.amount))
            else:
                out, into = parse_amount(cell(mapping.out)), parse_amount(cell(mapping.into))
                if out and into:
                    problems.append(f"Row {number}: it has both a money-out and a money-in amount")
                elif out:
                    pence = -abs(out)
                elif into:
                    pence = abs(into)
        except ValueError as error:
            problems.append(f"Row {number}: ‘{str(error)[:40]}’ is not an amount of money like 12.50")
        else:
            if not pence and not problems:
                problems.append(f"Row {number}: there is no amount")
        if problems:
            result.problems.extend(problems)
            continue
        result.rows.append(Row(number=number, occurred_on=day, description=description or "(no description)",
                               direction="out" if pence < 0 else "in", amount_pence=abs(pence)))
    return result
