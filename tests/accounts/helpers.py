"""Files for upload tests, made in the test: real formats, hostile ones and markers to hunt for."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

SECRET = b"MARKER-care-plan-contents-7f3a"


def pdf_bytes(marker: bytes = SECRET) -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + marker + b"\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "Mental health care plan.pdf", marker: bytes = SECRET) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(marker), content_type="application/pdf")


def office_zip(types: str, parts: dict[str, bytes] | None = None, *, mimetype: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        if types:
            archive.writestr("[Content_Types].xml", types)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_TYPES = ('<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/'
              'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
DOCM_TYPES = DOCX_TYPES.replace("wordprocessingml.document.main+xml", "") + (
    '<Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>')


def docx(marker: bytes = SECRET) -> bytes:
    return office_zip(DOCX_TYPES, {"word/document.xml": b"<w:document>" + marker + b"</w:document>"})


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                part.write(block)
    return buffer.getvalue()


PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def png(width: int = 10, height: int = 10) -> bytes:
    return PNG_HEADER + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00" + b"\0" * 64


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # the browser's word counts for nothing
