"""Text from the files users have: PDF, web pages, Word documents, plain text and Markdown.

One step, :func:`extract_text`, turns a file's bytes into the text loaders read plus,
for paged formats, the offsets in that text where each page starts (so evidence can
cite "page 4"). The kind of file is found from its content (``%PDF``, a ZIP holding
``word/document.xml``, an ``<html>`` or ``<!doctype html>`` start), not only from its
name; a file whose content and name disagree is read as what its content is.

What each reader keeps:

PDF (pdfminer.six)
    the text of each page in reading order, one paragraph per text block; lines
    broken inside a paragraph are joined, hyphens at line ends removed when the
    word is split (``improve-`` / ``ment``) and kept when the word is a compound
    written with a hyphen elsewhere in the document; running headers and footers
    (the same line, numbers aside, at the top or bottom of most pages), page
    numbers and table-of-contents lines are dropped.
HTML (BeautifulSoup with lxml)
    the main content (``<main>``, else ``<article>``, else ``<body>``) without
    scripts, styles, navigation, site headers and footers; headings, paragraphs
    and table rows on their own lines, list items as ``- item`` (``1. item`` in
    ordered lists).
DOCX (python-docx)
    paragraphs in order, list paragraphs as ``- item`` (numbered lists numbered),
    tables row by row with cells separated by ``|``; page headers and footers are
    left out.
Text and Markdown
    decoded from UTF-8 (with or without BOM), UTF-16 (with BOM, or without one when
    the NUL pattern shows it) or Windows-1252, with CRLF and CR line ends made LF.
    Form feeds (as ``pdftotext`` writes between pages) mark pages.

Whatever cannot be read this way is rejected with :class:`DocumentRejected` and a
reason that says what to do; nothing is guessed into mojibake.
"""

from __future__ import annotations

import io
import re
import zipfile

from councilkg.errors import DocumentRejected
from councilkg.textract._base import WORD, Extracted
from councilkg.textract.pdf import pdf_text
from councilkg.textract.plain import decode_text, form_feed_pages
from councilkg.textract.web import html_text
from councilkg.textract.word import docx_text

__all__ = ["Extracted", "decode_text", "extract_text", "sniff"]

# --- patterns ---------------------------------------------------------------------
# Magic numbers of formats that are not documents we read.
BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
RTF_MAGIC = b"{\\rtf"
# An HTML document's start, after any BOM, white space, XML declaration and comments.
HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.I | re.S
)
# Any tag, to tell an .html file holding markup from one holding plain text.
ANY_TAG = re.compile(r"<[a-zA-Z][^>]*>")


def sniff(name: str, data: bytes) -> str:
    """The format of ``data``: ``pdf``, ``docx``, ``html`` or ``text``; rejects formats not read.

    The content decides; the name only tells an ``.html`` file holding a bare fragment
    from a text file.
    """
    head = data[:1024]
    if PDF_MAGIC in head:
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(name, data)
    if data.startswith(OLE2_MAGIC):
        raise DocumentRejected(name, "a legacy Microsoft Office file (.doc, .xls): save it as .docx or PDF and load that")
    if data.lstrip().startswith(RTF_MAGIC):
        raise DocumentRejected(name, "an RTF file: save it as .docx, PDF or plain text and load that")
    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            raise DocumentRejected(name, f"binary file ({what}), not a document")
    if HTML_START.match(_ascii_head(data)):
        return "html"
    if name.lower().endswith((".html", ".htm", ".xhtml")) and ANY_TAG.search(_ascii_head(data, 65536)):
        return "html"
    return "text"


def _ascii_head(data: bytes, size: int = 4096) -> str:
    """The start of a file as ASCII-range text (UTF-16 NULs and BOMs removed), to look for markup."""
    head = data[: size * 2]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return head.replace(b"\x00", b"").decode("latin-1")[:size]


def _zip_kind(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, ValueError) as e:
        raise DocumentRejected(name, f"damaged or truncated ZIP/Word file ({e}); download or save it again") from e
    if "word/document.xml" in names:
        return "docx"
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        raise DocumentRejected(name, "an OpenDocument file: save it as .docx or PDF and load that")
    if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
        raise DocumentRejected(name, "a spreadsheet or presentation, not a report: save the report as .docx or PDF")
    raise DocumentRejected(name, "a ZIP archive, not a document: unpack it and load the files inside")


def extract_text(name: str, data: bytes) -> Extracted:
    """The text of a file of any supported format, with its page offsets; see the module docs."""
    if not data.strip():
        raise DocumentRejected(name, "file is empty")
    kind = sniff(name, data)
    if kind == "pdf":
        extracted = pdf_text(name, data)
    elif kind == "docx":
        extracted = docx_text(name, data)
    elif kind == "html":
        extracted = html_text(name, decode_text(name, data))
    else:
        text = decode_text(name, data)
        extracted = Extracted(text, form_feed_pages(text), "text")
    if not WORD.search(extracted.text):
        what = {"pdf": "PDF", "html": "web page", "docx": "Word document"}.get(extracted.format, "file")
        hint = {
            "pdf": " (a scanned image? run OCR on it first)",
            "html": " (only scripts, styles or navigation)",
        }.get(extracted.format, "")
        raise DocumentRejected(name, f"{what} has no document text{hint}")
    return extracted

