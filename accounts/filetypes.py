"""What a file really is, from its bytes: never from its name or the browser's say-so.

Pure Python (no libmagic; puremagic names what we refuse). Accepts PDF, Word .docx, Excel .xlsx,
OpenDocument text and spreadsheet, UTF-8 plain text and CSV, JPEG, PNG and HEIC; refuses
everything else with a reason a person can act on. Zip-based formats are inspected without
extracting them, with caps on the number of parts and their declared size, so a zip bomb costs
us nothing.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass

import puremagic

from accounts.text import split_extension

HEAD_SIZE = 8192
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_RATIO = 150
ZIP_SMALL_PART = 1024 * 1024  # ratios only matter for parts bigger than this
PNG_MAX_PIXELS = 150_000_000  # a 600 dpi A3 scan is about 70 million
MARKUP_SIGNS = {  # looked for (lower-cased) in the first 1 KB of anything that claims to be text
    "<!doctype": "a web page (HTML)", "<html": "a web page (HTML)", "<head": "a web page (HTML)",
    "<body": "a web page (HTML)", "<iframe": "a web page (HTML)", "<svg": "an SVG image",
    "<script": "a script", "<?xml": "an XML or SVG file", "<object": "a web page (HTML)",
    "<embed": "a web page (HTML)", "<meta": "a web page (HTML)", "<style": "a web page (HTML)",
    "<img": "a web page (HTML)", "<form": "a web page (HTML)",
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
RISKY_PART_ENDINGS = (".bin", ".exe", ".dll", ".js", ".vbs", ".bat", ".cmd", ".ps1", ".jar", ".zip",
                      ".7z", ".rar", ".gz", ".docm", ".dotm", ".xlsm", ".pptm", ".scr", ".msi", ".hta")


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("a PDF", "application/pdf", (".pdf",))
DOCX = FileKind("a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
ODT = FileKind("an OpenDocument text file", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
XLSX = FileKind("an Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                (".xlsx",))
TEXT = FileKind("a plain text file", "text/plain", (".txt", ".text"))
CSV = FileKind("a CSV file", "text/csv", (".csv",))
JPEG = FileKind("a JPEG image", "image/jpeg", (".jpg", ".jpeg", ".jpe"))
PNG = FileKind("a PNG image", "image/png", (".png",))
HEIC = FileKind("a HEIC photo", "image/heic", (".heic", ".heif"))
ACCEPTED = (PDF, DOCX, XLSX, ODT, ODS, TEXT, CSV, JPEG, PNG, HEIC)
ACCEPTED_LIST = ("PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), text (.txt, .csv), JPEG, PNG "
                 "or HEIC")
# For the file picker's accept attribute: every extension of every kind we take.
ACCEPTED_EXTENSIONS = ",".join(extension for kind in ACCEPTED for extension in kind.extensions)


def kind_label(content_type: str) -> str:
    """'a PDF' for 'application/pdf': how we name a stored version's kind to its owner."""
    return next((kind.label for kind in ACCEPTED if kind.content_type == content_type), "another kind of file")


class RefusedFile(Exception):
    """The file is not one we accept; `message` says why and what to do."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _refuse_type(what: str, code: str, advice: str = "") -> RefusedFile:
    advice = advice or f"Upload a {ACCEPTED_LIST} file instead."
    return RefusedFile(f"The selected file is {what}, which we do not accept. {advice}", code)


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    return head


def identify(file, *, name: str) -> FileKind:
    """The kind of `file` (a seekable binary file), checked against its name's extension.

    Raises RefusedFile with a message naming the reason.
    """
    head = _head(file)
    if not head:
        raise RefusedFile("The selected file is empty. Choose a file that has something in it.", "empty")
    kind = _kind_from_content(file, head)
    stem, extension = split_extension(name)
    if kind in (TEXT, CSV):
        kind = CSV if extension == ".csv" else TEXT
    if extension not in kind.extensions:
        shown = extension or "no extension"
        raise RefusedFile(
            f"The file's name ends in {shown} but it is {kind.label}. Rename it to end in "
            f"{kind.extensions[0]}, or choose a different file.", "extension")
    return kind


def _kind_from_content(file, head: bytes) -> FileKind:
    """Our policy: the kinds we accept by their full signatures first; then text, which wins over
    the two-byte signatures a sentence can start with ("BMI 24.5", "MZ Care Ltd,", "#!"); then
    anything else is refused, named by our table or by puremagic's."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_png(head)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _check_iso_media(head)
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(file)
    text = _read_text(file)
    if text is not None:
        return text
    _refuse_known_binaries(head)
    _refuse_by_puremagic(file)
    if b"\x00" not in head:
        raise RefusedFile("We could not read the selected file as text. If it is a text or CSV file, "
                          f"save it with UTF-8 encoding and try again; otherwise upload a {ACCEPTED_LIST} "
                          "file.", "encoding")
    raise _unrecognised()


def _refuse_by_puremagic(file) -> None:
    """Name a file our own table does not know, from puremagic's signature list."""
    file.seek(0)
    try:
        matches = puremagic.magic_stream(file)
    except (puremagic.PureError, ValueError):
        matches = []
    finally:
        file.seek(0)
    if matches and matches[0].name:
        raise _refuse_type(f"a file of the type “{matches[0].name.rstrip('.')}”", "other_type")


def _refuse_known_binaries(head: bytes) -> None:
    signatures = [
        ((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!"),
         "a program or script", "executable"),
        ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
         "an older Office file (.doc or .xls), which can carry macros", "ole"),
        ((b"PK\x05\x06", b"PK\x07\x08", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"),
         "an archive (zip, rar, 7z or gzip)", "archive"),
        ((b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF"),
         "an image type we do not accept (GIF, BMP, TIFF or WebP)", "image_type"),
    ]
    for prefixes, what, code in signatures:
        if head.startswith(prefixes):
            if code == "ole":
                raise _refuse_type("an older Office file (.doc or .xls)", code,
                                   "These can carry macros: save it as .docx, .xlsx, .odt or PDF and upload "
                                   "that.")
            if code == "image_type":
                raise _refuse_type(what, code, "Save it as JPEG or PNG and upload that.")
            raise _refuse_type(what, code)


def _check_png(head: bytes) -> FileKind:
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise RefusedFile("The selected PNG image looks damaged. Save it again and upload the new copy.",
                          "damaged")
    width = int.from_bytes(head[16:20], "big")
    height = int.from_bytes(head[20:24], "big")
    if width == 0 or height == 0 or width * height > PNG_MAX_PIXELS:
        raise RefusedFile("The selected PNG image is too large in pixels to be a photo or scan. "
                          "Save it at a smaller size and upload that.", "pixels")
    return PNG


HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}


def _check_iso_media(head: bytes) -> FileKind:
    box_size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    brands = {major}
    end = min(box_size, len(head)) if box_size >= 16 else 16
    for offset in range(16, end - 3, 4):
        brands.add(head[offset:offset + 4])
    if major in HEIC_BRANDS or (major in {b"mif1", b"msf1"} and brands & HEIC_BRANDS):
        return HEIC
    raise _refuse_type("a video or an image type we do not accept", "media",
                       "Photos can be JPEG, PNG or HEIC.")


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)


def _check_zip(file) -> FileKind:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return _check_zip_parts(archive)
    # zipfile raises NotImplementedError for compression methods it cannot read: refuse those too.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as error:
        raise RefusedFile("The selected file looks damaged or is an archive we cannot check. "
                          "Save it again and upload the new copy.", "damaged") from error
    finally:
        file.seek(0)


def _check_zip_parts(archive: zipfile.ZipFile) -> FileKind:
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise RefusedFile("The selected file has too many parts inside it to be an ordinary document.",
                          "zip_entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise RefusedFile("The selected file is password-protected. Remove the password and upload "
                              "it again.", "encrypted")
        if info.compress_size and info.file_size > ZIP_SMALL_PART and (
                info.file_size / info.compress_size > ZIP_MAX_RATIO):
            raise RefusedFile("The selected file expands to far more than its size, as a zip bomb does.",
                              "zip_bomb")
        lowered = info.filename.lower()
        if lowered.startswith(("/", "\\")) or ".." in lowered.replace("\\", "/").split("/"):
            raise RefusedFile("The selected file has parts with unsafe names inside it.", "zip_paths")
        if lowered.endswith(RISKY_PART_ENDINGS) or "vbaproject" in lowered or "activex" in lowered:
            raise RefusedFile("The selected document contains macros or embedded programs, which we do "
                              "not accept. Save a copy without macros (as .docx, .odt or PDF) and upload "
                              "that.", "macros")
        if lowered.startswith(("basic/", "scripts/")):
            raise RefusedFile("The selected document contains macros, which we do not accept. Save a "
                              "copy without macros and upload that.", "macros")
    if total > ZIP_MAX_UNCOMPRESSED:
        raise RefusedFile("The selected file expands to far more than its size, as a zip bomb does.",
                          "zip_bomb")
    names = {info.filename for info in infos}
    if "mimetype" in names:
        mimetype = _read_capped(archive, "mimetype", 200).strip()
        if mimetype == ODT.content_type.encode():
            return ODT
        if mimetype == ODS.content_type.encode():
            return ODS
        raise _refuse_type("an OpenDocument file of a kind we do not accept", "odf_type",
                           "We accept OpenDocument text (.odt) and spreadsheets (.ods).")
    if "[Content_Types].xml" in names:
        types = _read_capped(archive, "[Content_Types].xml", 1024 * 1024).decode("utf-8", "replace")
        lowered_types = types.lower()
        if "macroenabled" in lowered_types or "vbaproject" in lowered_types or "activex" in lowered_types:
            raise RefusedFile("The selected document contains macros, which we do not accept. Save it as "
                              "a Word document (.docx) or Excel workbook (.xlsx) without macros and upload "
                              "that.", "macros")
        if "wordprocessingml.document.main+xml" in lowered_types:
            return DOCX
        if "spreadsheetml.sheet.main+xml" in lowered_types:
            return XLSX
        raise _refuse_type("an Office file of a kind we do not accept", "office_type")
    raise _refuse_type("an archive (zip)", "archive")


def _read_text(file) -> FileKind | None:
    """TEXT when the whole file is UTF-8 without control characters, else None. Markup is refused."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    try:
        while True:
            block = file.read(64 * 1024)
            if not block:
                decoder.decode(b"", final=True)
                return TEXT
            if b"\x00" in block:
                return None
            text = decoder.decode(block)
            if first:
                first = False
                _refuse_markup(text)
            if CONTROL_CHARACTERS.search(text):
                return None
    except UnicodeDecodeError:
        return None
    finally:
        file.seek(0)


def _unrecognised() -> RefusedFile:
    return RefusedFile(f"We could not recognise the selected file. Upload a {ACCEPTED_LIST} file.",
                       "unrecognised")


def _refuse_markup(text: str) -> None:
    start = text.lstrip("\ufeff \t\r\n")[:1024].lower()
    for sign, what in MARKUP_SIGNS.items():
        if sign in start:
            code = "svg" if "svg" in what else "script" if "script" in what else "html"
            raise _refuse_type(what, code)
