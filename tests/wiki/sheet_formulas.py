"""Work out the formulas in a generated spreadsheet, to check the numbers they give.

openpyxl and odfpy read formulas but do not calculate them, so this evaluates the
small part of the formula language our layouts use (cell references, ranges, + - * /,
SUM, MIN, ROUND) straight from the cells of the file as it was downloaded.
"""

import csv
import io
import re

_RANGE = re.compile(r"\$?([A-Z]{1,2})\$?(\d+):\$?([A-Z]{1,2})\$?(\d+)")
_TOKEN = re.compile(r"(?P<range>\$?[A-Z]{1,2}\$?\d+:\$?[A-Z]{1,2}\$?\d+)"
                    r"|(?<![A-Za-z_])\$?(?P<col>[A-Z]{1,2})\$?(?P<row>\d+)(?![\w(])")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _letters(number: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[number - 1]


class Grid:
    """Cells by address ("B4"): a number, text, a formula ("=...") or None."""

    def __init__(self, cells: dict[str, object]):
        self.cells = cells
        self._cache: dict[str, float] = {}

    def set(self, address: str, value) -> None:
        self.cells[address] = value
        self._cache.clear()

    def value(self, address: str) -> float:
        if address not in self._cache:
            raw = self.cells.get(address)
            if isinstance(raw, str) and raw.startswith("="):
                self._cache[address] = self._evaluate(raw[1:])
            elif isinstance(raw, (int, float)):
                self._cache[address] = float(raw)
            elif isinstance(raw, str) and re.fullmatch(r"-?\d+(\.\d+)?", raw.strip()):
                self._cache[address] = float(raw)
            else:
                self._cache[address] = 0.0  # empty or text counts as 0
        return self._cache[address]

    def _evaluate(self, formula: str) -> float:
        def cells_in(match: re.Match) -> str:
            first_col, first_row, last_col, last_row = match.groups()
            addresses = [f"{_letters(col)}{row}"
                         for col in range(_column_number(first_col), _column_number(last_col) + 1)
                         for row in range(int(first_row), int(last_row) + 1)]
            return "[" + ",".join(f"_v({a!r})" for a in addresses) + "]"

        def replace(match: re.Match) -> str:
            if match.group("range"):
                return cells_in(_RANGE.fullmatch(match.group("range")))
            return f"_v('{match.group('col')}{match.group('row')}')"

        expression = _TOKEN.sub(replace, formula)
        if re.search(r"[^\w\s().,+\-*/\[\]'_]", expression):
            raise ValueError(f"unexpected formula {formula!r}")
        namespace = {"_v": self.value, "SUM": lambda *args: sum(_flat(args)), "MIN": lambda *args: min(_flat(args)),
                     "ROUND": lambda value, places: round(value, int(places)), "__builtins__": {}}
        return float(eval(expression, namespace))  # noqa: S307  our own regex-checked expression


def _flat(args):
    for arg in args:
        if isinstance(arg, list):
            yield from arg
        else:
            yield arg


def from_xlsx(data: bytes) -> Grid:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return Grid({cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None})


def from_ods(data: bytes) -> Grid:
    from odf.namespaces import OFFICENS, TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    table = load(io.BytesIO(data)).spreadsheet.getElementsByType(Table)[0]
    cells = {}
    for row_number, row in enumerate(table.getElementsByType(TableRow), start=1):
        column = 1
        for cell in row.getElementsByType(TableCell):
            formula = cell.attributes.get((TABLENS, "formula"))
            address = f"{_letters(column)}{row_number}"
            if formula:
                body = formula.removeprefix("of:=")
                body = re.sub(r"\[\.(\$?[A-Z]+\$?\d+):\.(\$?[A-Z]+\$?\d+)\]", r"\1:\2", body)
                body = re.sub(r"\[\.(\$?[A-Z]+\$?\d+)\]", r"\1", body).replace(";", ",")
                cells[address] = "=" + body
            elif cell.attributes.get((OFFICENS, "value-type")) == "float":
                cells[address] = float(cell.attributes[(OFFICENS, "value")])
            else:
                text = str(cell)
                if text:
                    cells[address] = text
            column += int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
    return Grid(cells)


def from_csv(data: bytes) -> Grid:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return Grid({f"{_letters(col)}{row}": value for row, line in enumerate(rows, start=1)
                 for col, value in enumerate(line, start=1) if value != ""})


def find(grid: Grid, text: str) -> str:
    """The address of the cell whose text is `text`."""
    for address, value in grid.cells.items():
        if value == text:
            return address
    raise KeyError(text)


def right_of(address: str, columns: int = 1) -> str:
    match = re.fullmatch(r"([A-Z]+)(\d+)", address)
    return f"{_letters(_column_number(match.group(1)) + columns)}{match.group(2)}"


def below(address: str, rows: int = 1) -> str:
    match = re.fullmatch(r"([A-Z]+)(\d+)", address)
    return f"{match.group(1)}{int(match.group(2)) + rows}"
