"""A template's Markdown as simple blocks, the one source every document format is made from.

Only what letters, policies and checklists need: headings, paragraphs, bullet,
numbered and tick-box lists, tables, and **bold**. Markers are filled after the
Markdown is read, so nothing a member types is ever read as Markdown.
"""

import re
from dataclasses import dataclass, field

from wiki.templatelib.fields import Field, fill


@dataclass
class Block:
    kind: str  # heading, para, bullet, number, check, table
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse(body: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def end_paragraph():
        if paragraph:
            blocks.append(Block("para", " ".join(paragraph)))
            paragraph.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            end_paragraph()
            continue
        if heading := re.match(r"^(#{1,4})\s+(.*)$", line):
            end_paragraph()
            blocks.append(Block("heading", heading.group(2).strip(), level=len(heading.group(1))))
        elif check := re.match(r"^[-*]\s+\[[ xX]?\]\s+(.*)$", line):
            end_paragraph()
            blocks.append(Block("check", check.group(1)))
        elif bullet := re.match(r"^[-*]\s+(.*)$", line):
            end_paragraph()
            blocks.append(Block("bullet", bullet.group(1)))
        elif number := re.match(r"^\d+[.)]\s+(.*)$", line):
            end_paragraph()
            blocks.append(Block("number", number.group(1)))
        elif line.startswith("|"):
            end_paragraph()
            if _TABLE_RULE.match(line):
                continue
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(_cells(line))
            else:
                blocks.append(Block("table", rows=[_cells(line)]))
        else:
            paragraph.append(line)
    end_paragraph()
    return blocks


def runs(text: str, fields: list[Field], values: dict | None) -> list[tuple[str, bool]]:
    """(text, is_bold) pieces of one block's text, with its markers filled."""
    pieces = text.split("**")
    if len(pieces) % 2 == 0:  # an unmatched ** is just text
        pieces = [text]
    return [(fill(piece, fields, values), index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def plain(text: str, fields: list[Field], values: dict | None) -> str:
    return "".join(piece for piece, _ in runs(text, fields, values))
