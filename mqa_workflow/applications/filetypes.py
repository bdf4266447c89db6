"""What a document really is, judged from its content (magic bytes), not its name.

The allow-list is what award offices accept: PDF, PNG and JPEG images, Word and Excel
documents (OOXML, and the legacy OLE formats). The name's extension must agree with
the content, the content type is the one found here (never the client's word), and a
macro-enabled Office file is refused. File names lose path parts and control
characters before they are stored or shown.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PureWindowsPath


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
PNG = Kind("PNG image", "image/png", (".png",))
JPEG = Kind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
DOCX = Kind("Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",))
XLSX = Kind("Excel workbook",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
DOC = Kind("Word 97-2003 document", "application/msword", (".doc",))
XLS = Kind("Excel 97-2003 workbook", "application/vnd.ms-excel", (".xls",))
ACCEPTED = (PDF, PNG, JPEG, DOCX, XLSX, DOC, XLS)
ACCEPTED_EXTENSIONS = tuple(ext for kind in ACCEPTED for ext in kind.extensions)
HEAD_BYTES = 8

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Recognised only to say what a refused file is.
REFUSED_MAGIC = ((b"MZ", "a Windows executable"), (b"\x7fELF", "a Linux executable"),
                 (b"\xcf\xfa\xed\xfe", "a macOS executable"), (b"#!", "a script"),
                 (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
                 (b"<", "HTML or XML"))


class NotAccepted(ValueError):
    """The content is not on the allow-list, or does not match the name."""


def sniff(data: bytes, filename: str) -> Kind:
    """The accepted kind ``data`` is, checked against ``filename``'s extension."""
    extension = PureWindowsPath(filename.lower()).suffix
    kind = _kind_of(data, extension)
    if kind is None:
        raise NotAccepted(f"{filename}: the content is {_describe(data)}, which is not "
                          f"accepted (accepted: {', '.join(k.label for k in ACCEPTED)})")
    if extension not in kind.extensions:
        raise NotAccepted(f"{filename}: the content is a {kind.label}, but the name does not "
                          f"end in {' or '.join(kind.extensions)}")
    return kind


def _kind_of(data: bytes, extension: str) -> Kind | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(OLE_MAGIC):
        # The OLE container itself does not say Word or Excel cheaply; the name decides
        # between the two legacy kinds, never beyond them.
        return XLS if extension == ".xls" else DOC
    if data.startswith(ZIP_MAGIC):
        return _office_open_xml(data)
    return None


def _office_open_xml(data: bytes) -> Kind | None:
    """A Word or Excel OOXML package (not macro-enabled), from its part names."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            if "[Content_Types].xml" not in names:
                return None
            with package.open("[Content_Types].xml") as types:
                declared = types.read(256 * 1024).lower()
    except (zipfile.BadZipFile, OSError, RuntimeError, KeyError, ValueError):
        return None
    if b"macroenabled" in declared or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _describe(data: bytes) -> str:
    if not data:
        return "empty"
    if data.startswith(ZIP_MAGIC):
        return "a ZIP archive (not a Word or Excel document, or one with macros)"
    for magic, label in REFUSED_MAGIC:
        if data.lstrip()[:len(magic)] == magic:
            return label
    return "of an unknown type"


def clean_filename(name: str, limit: int = 200) -> str:
    """The last path part of ``name`` without control or format characters, leading
    dots or spaces, at most ``limit`` characters (keeping the extension)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in unicodedata.normalize("NFC", last)
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    kept = kept.strip().lstrip(". ").strip()
    if len(kept) > limit:
        suffix = PureWindowsPath(kept).suffix[:16]
        kept = kept[:limit - len(suffix)] + suffix
    return kept or "unnamed"
