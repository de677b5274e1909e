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
from collections import Counter
from dataclasses import dataclass, field

from councilkg.errors import DocumentRejected

# --- patterns and limits ------------------------------------------------------------
#: Most pages a PDF may have; more is not a report but a book (and a way to stall a load).
MAX_PAGES = 2000
#: Most bytes a DOCX may expand to (a ZIP bomb guard).
MAX_UNZIPPED = 512 * 1024 * 1024
#: Share of the page height, at the top and at the bottom, where running headers and footers sit.
EDGE_ZONE = 0.12
#: A line seen at a page edge on at least this share of pages (and on 2 or more) is furniture.
FURNITURE_SHARE = 0.5

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
# Byte sequences UTF-8 writes for accented letters and typographic punctuation; found in a
# file that is not valid UTF-8 they mean two encodings are mixed, and reading the file as
# Windows-1252 would put mojibake ("â€™") into the graph.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")
# A line holding only a page number: "7", "Page 7", "7 of 12", "- 7 -", "Page 7 of 12".
PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
# Table-of-contents lines: a heading with a dot leader and a page number ("Introduction .... 3"),
# or a numbered heading, a lone dot and a page number ("1. Introduction . 3").
TOC_LEADER = re.compile(r"^\s*\S.{0,150}?(?:\s?\.){3,}\s*\d{1,4}\s*$|^.{0,150}?…+\s*\d{1,4}\s*$")
TOC_NUMBERED = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[^.\n]{2,90}?\s\.\s*\d{1,4}\s*$")
# A numbered heading ending in a page number ("4. Final thoughts and next steps 10"): a TOC line
# only in a run of such lines.
TOC_ENTRY = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][^.:;!?\n]{2,90}?\s+\d{1,4}\s*$")
# A bullet from a symbol font: an unmapped glyph or a private-use character (Word's Symbol
# bullet is U+F0B7) at the start of a line, before a space.
GLYPH_BULLET = re.compile(r"^\s*(?:\(cid:\d+\)|[\uf000-\uf0ff])\s*(?=\S)|^\s*(?:\(cid:\d+\)|[\uf000-\uf0ff])\s*$")
# Digits, to compare running headers and footers whatever page number they carry.
DIGITS = re.compile(r"\d+")
# A bullet or list-number at the start of a line: such a line starts a new paragraph.
BULLET_START = re.compile(r"^\s*(?:[•·▪◦●■□➢►✓*\-–]\s|\(?[a-z0-9]{1,2}[.)]\s)")
# Sentence-final punctuation at the end of a line.
SENTENCE_END = re.compile(r"[.:;!?]['\"”’)]*\s*$")
# A word split across lines by a hyphen: "improve-" then "ment".
SPLIT_WORD_HEAD = re.compile(r"(?P<head>[A-Za-z]+)-$")
SPLIT_WORD_TAIL = re.compile(r"^(?P<tail>[a-z]+)")
# pdfminer's placeholder for a glyph without a Unicode mapping.
CID_GLYPH = re.compile(r"\(cid:\d+\)")
LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
WORD = re.compile(r"\w", re.U)
SPACE_RUN = re.compile(r"[ \t\u00a0]+")

HTML_DROP = {"script", "style", "noscript", "template", "nav", "svg", "iframe", "object", "embed", "canvas",
             "form", "button", "select", "input", "textarea", "aside", "dialog", "map", "audio", "video"}
HTML_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "dl", "dt", "dd",
              "figure", "figcaption", "address", "hr", "details", "summary", "fieldset", "legend", "center",
              "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr",
              "caption", "body", "html"}
HTML_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass
class Extracted:
    """A file's text, where its pages start in that text (empty when unpaged), and its format."""

    text: str
    pages: list[int] = field(default_factory=list)
    format: str = "text"  # "pdf", "html", "docx" or "text"


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
        extracted = Extracted(text, _form_feed_pages(text), "text")
    if not WORD.search(extracted.text):
        what = {"pdf": "PDF", "html": "web page", "docx": "Word document"}.get(extracted.format, "file")
        hint = {
            "pdf": " (a scanned image? run OCR on it first)",
            "html": " (only scripts, styles or navigation)",
        }.get(extracted.format, "")
        raise DocumentRejected(name, f"{what} has no document text{hint}")
    return extracted


# --- plain text ------------------------------------------------------------------
def decode_text(name: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16, else Windows-1252; LF line ends.

    Rejects binary data, bytes no encoding reads, and files mixing UTF-8 with another encoding.
    """
    if not data.strip():
        raise DocumentRejected(name, "file is empty")
    encoding = _utf16_encoding(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise DocumentRejected(name, f"not valid UTF-16 text ({e.reason} at byte {e.start})") from e
    else:
        if b"\x00" in data[:8192]:
            raise DocumentRejected(name, "binary file (contains NUL bytes), not a text document")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as utf8_error:
            mixed = UTF8_SEQUENCE.search(data)
            if mixed:
                raise DocumentRejected(
                    name,
                    f"mixed text encodings: UTF-8 (at byte {mixed.start()}) and another (at byte "
                    f"{utf8_error.start}); save the file as UTF-8",
                ) from utf8_error
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as e:
                raise DocumentRejected(
                    name, f"not UTF-8 or Windows-1252 text (byte 0x{data[e.start]:02x} at {e.start}); save it as UTF-8"
                ) from e
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:8192]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\t\f") or 0x7F <= ord(ch) < 0xA0)
    if controls > max(8, len(sample) // 100):
        raise DocumentRejected(name, "binary file (control characters), not a text document")
    if not text.strip():
        raise DocumentRejected(name, "file is empty")
    return text


def _utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` for a BOM, ``utf-16-le``/``-be`` when NULs alternate as in ASCII-range UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.9 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.9 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _form_feed_pages(text: str) -> list[int]:
    if "\f" not in text:
        return []
    return [0] + [m.end() for m in re.finditer("\f", text)]


# --- PDF -------------------------------------------------------------------------
@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float  # PDF coordinates: from the bottom of the page
    y1: float
    top: float  # share of the page height above the line
    size: float  # mean glyph height
    bold: bool


def pdf_text(name: str, data: bytes) -> Extracted:
    """Per-page text of a PDF, cleaned of running headers, footers, page numbers and TOC lines."""
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRejected(name, "truncated PDF (no end-of-file marker): download it again")
    pages = [_merge_blocks(page) for page in _pdf_layout(name, data)]
    furniture = _furniture_keys(pages)
    sizes = sorted(line.size for page in pages for block in page for line in block)
    body_size = sizes[len(sizes) // 2] if sizes else 0.0
    vocabulary = _vocabulary(line.text for page in pages for block in page for line in block)
    texts = []
    for number, page in enumerate(pages):
        toc = _toc_lines(page)
        blocks = []
        for block in page:
            kept = [line for line in block
                    if id(line) not in toc and not _is_furniture(line, furniture, number, body_size)]
            blocks.extend(_paragraphs(kept, vocabulary))
        texts.append("\n\n".join(b for b in blocks if b.strip()))
    out, offsets = [], []
    position = 0
    for text in texts:
        offsets.append(position)
        if text:
            out.append(text + "\n\n")
            position += len(text) + 2
    return Extracted("".join(out), offsets, "pdf")


def _pdf_layout(name: str, data: bytes) -> list[list[list[_Line]]]:
    """Pages -> text blocks -> lines, in pdfminer's reading order."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    pages: list[list[list[_Line]]] = []
    try:
        for page in extract_pages(io.BytesIO(data), password="", laparams=LAParams(), maxpages=MAX_PAGES + 1):
            if len(pages) >= MAX_PAGES:
                raise DocumentRejected(name, f"PDF has more than {MAX_PAGES} pages; split it")
            height = page.height or 1.0
            blocks, markers = [], []
            for element in _text_elements(page, (LTTextBox, LTTextLine)):
                lines = []
                for line in element if isinstance(element, LTTextBox) else [element]:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar)]
                    text = _line_text(line.get_text())
                    if not text:
                        continue
                    size = sum(c.size for c in chars) / len(chars) if chars else 0.0
                    bold = bool(chars) and sum("bold" in c.fontname.lower() for c in chars) > len(chars) / 2
                    lines.append(_Line(text, line.x0, line.x1, line.y0, line.y1, (page.height - line.y1) / height,
                                       size, bold))
                if len(lines) == 1 and lines[0].text == "•":
                    markers.append(lines[0])  # a bullet glyph laid out apart from its item
                elif lines:
                    blocks.append(lines)
            _attach_markers(blocks, markers)
            pages.append(blocks)
    except DocumentRejected:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise DocumentRejected(name, "encrypted PDF (needs a password): save an unprotected copy and load that") from e
    except (PDFSyntaxError, PSException) as e:
        raise DocumentRejected(name, f"damaged PDF ({type(e).__name__}: {e}); download it again") from e
    except RecursionError as e:
        raise DocumentRejected(name, "damaged PDF (objects nested without end)") from e
    except Exception as e:  # noqa: BLE001 -- pdfminer raises arbitrary errors on damaged files; each is this file's fault
        raise DocumentRejected(name, f"damaged PDF ({type(e).__name__}: {e}); download it again") from e
    if not pages:
        raise DocumentRejected(name, "PDF has no pages")
    return pages


def _line_text(raw: str) -> str:
    """A layout line's text: bullets from symbol fonts made "•", ligatures split, glyphs without Unicode dropped."""
    text = raw.translate(LIGATURES).replace("\u00ad\n", "").replace("\u00ad", "")
    text = GLYPH_BULLET.sub("• ", text)
    text = CID_GLYPH.sub("", text)
    return SPACE_RUN.sub(" ", text).strip()


def _attach_markers(blocks: list[list[_Line]], markers: list[_Line]) -> None:
    """Put each lone bullet glyph in front of the line beside it."""
    for marker in markers:
        for block in blocks:
            line = next((ln for ln in block if ln.x0 >= marker.x0 and min(ln.y1, marker.y1) - max(ln.y0, marker.y0)
                         > 0.5 * min(ln.y1 - ln.y0, marker.y1 - marker.y0)), None)
            if line is not None:
                line.text = "• " + line.text
                break


def _merge_blocks(blocks: list[list[_Line]]) -> list[list[_Line]]:
    """Join blocks that pdfminer split although their lines follow at the same leading (hanging indents)."""
    merged: list[list[_Line]] = []
    for block in blocks:
        if merged:
            last, first = merged[-1][-1], block[0]
            gap = last.y0 - first.y1
            height = max(last.y1 - last.y0, 1.0)
            if -0.3 * height < gap < 0.35 * height and first.x0 >= last.x0 - 2 and not BULLET_START.match(first.text):
                merged[-1] = merged[-1] + block
                continue
        merged.append(list(block))
    return merged


def _toc_lines(page: list[list[_Line]]) -> set[int]:
    """Table-of-contents lines: dot leaders, or a run of numbered headings each ending in a page number."""
    lines = [line for block in page for line in block]
    strict = [bool(TOC_LEADER.match(ln.text) or TOC_NUMBERED.match(ln.text)) for ln in lines]
    loose = [s or bool(TOC_ENTRY.match(ln.text)) for s, ln in zip(strict, lines)]
    out = set()
    for i, line in enumerate(lines):
        if strict[i] or loose[i] and (i > 0 and loose[i - 1] or i + 1 < len(lines) and loose[i + 1]):
            out.add(id(line))
    return out


def _text_elements(container, types):
    """Text boxes and loose text lines anywhere in a layout tree (figures can hold text too)."""
    for element in container:
        if isinstance(element, types):
            yield element
        elif hasattr(element, "__iter__") and not hasattr(element, "get_text"):
            yield from _text_elements(element, types)


def _key(text: str) -> str:
    return DIGITS.sub("#", " ".join(text.lower().split()))


def _furniture_keys(pages: list[list[list[_Line]]]) -> set[str]:
    """Lines at a page edge that recur, numbers aside, on most pages: running headers and footers."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        keys = {_key(line.text) for block in page for line in block if _at_edge(line)}
        seen.update(keys)
    needed = max(2, int(len(pages) * FURNITURE_SHARE + 0.5))
    return {key for key, count in seen.items() if count >= needed}


def _at_edge(line: _Line) -> bool:
    return line.top < EDGE_ZONE or line.top > 1 - EDGE_ZONE


def _is_furniture(line: _Line, furniture: set[str], page_index: int, body_size: float) -> bool:
    if not _at_edge(line):
        return False
    if PAGE_NUMBER.match(line.text):
        return True
    # A line that repeats at the top of later pages but is set large on the first is the
    # document's title there, not a running header: keep that one.
    cover_title = page_index == 0 and line.top < EDGE_ZONE and line.size > body_size
    return _key(line.text) in furniture and not cover_title


def _vocabulary(lines) -> set[str]:
    words: set[str] = set()
    for text in lines:
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", text))
    return words


def _paragraphs(lines: list[_Line], vocabulary: set[str]) -> list[str]:
    """Join a block's lines into paragraphs; a bullet, a change of font, or a short line ending a sentence breaks."""
    paragraphs: list[str] = []
    current = ""
    previous: _Line | None = None
    right = max((line.x1 for line in lines), default=0.0)
    left = min((line.x0 for line in lines), default=0.0)
    for line in lines:
        if previous is None:
            current = line.text
        elif _breaks(previous, line, left, right):
            paragraphs.append(current)
            current = line.text
        else:
            current = _join(current, line.text, vocabulary)
        previous = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _breaks(previous: _Line, line: _Line, left: float, right: float) -> bool:
    if BULLET_START.match(line.text):
        return True
    if previous.size and line.size and abs(previous.size - line.size) > 0.15 * max(previous.size, line.size):
        return True
    if previous.bold != line.bold and len(previous.text.split()) <= 12:
        return True
    short = previous.x1 < right - 0.15 * max(right - left, 1.0)
    return short and bool(SENTENCE_END.search(previous.text) or previous.bold)


def _join(current: str, nxt: str, vocabulary: set[str]) -> str:
    head = SPLIT_WORD_HEAD.search(current)
    tail = SPLIT_WORD_TAIL.match(nxt)
    if head and tail:
        whole = (head["head"] + tail["tail"]).lower()
        hyphenated = f"{head['head']}-{tail['tail']}".lower()
        if hyphenated in vocabulary and whole not in vocabulary:
            return current + nxt
        return current[:-1] + nxt
    return current + " " + nxt


# --- HTML ------------------------------------------------------------------------
def html_text(name: str, markup: str) -> Extracted:
    """The main text of a web page, block by block."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(markup, "lxml")
    except (ValueError, TypeError, AssertionError) as e:
        raise DocumentRejected(name, f"web page cannot be parsed ({e})") from e
    for tag in soup.find_all(HTML_DROP):
        tag.decompose()
    for tag in soup.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true"):
        tag.decompose()
    root = _html_root(soup)
    if root.name not in ("main", "article") and not root.find_parent(("main", "article")):
        for tag in root.find_all(("header", "footer")):
            if not tag.find_parent(("main", "article")):
                tag.decompose()
    writer = _BlockWriter()
    _walk_html(root, writer, pre=False)
    return Extracted(writer.finish(), [], "html")


def _html_root(soup):
    for candidate in (soup.find("main"), soup.find(attrs={"role": "main"}), soup.find("article")):
        if candidate is not None and WORD.search(candidate.get_text()):
            return candidate
    return soup.body or soup


class _BlockWriter:
    """Collects inline text into lines and lines into blank-line-separated blocks."""

    def __init__(self):
        self.blocks: list[str] = []
        self.line: list[str] = []
        self.prefix = ""

    def text(self, s: str) -> None:
        self.line.append(s)

    def newline(self) -> None:
        line = SPACE_RUN.sub(" ", "".join(self.line)).strip()
        self.line = []
        if line:
            self.blocks.append(self.prefix + line)
            self.prefix = ""

    def block(self) -> None:
        self.newline()
        if self.blocks and self.blocks[-1] != "":
            self.blocks.append("")

    def finish(self) -> str:
        self.block()
        return "\n".join(self.blocks).strip() + "\n"


def _walk_html(node, writer: _BlockWriter, pre: bool) -> None:
    from bs4 import Comment, Doctype, NavigableString, ProcessingInstruction, Tag

    for child in node.children:
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            text = str(child)
            if pre:
                lines = text.split("\n")
                for i, part in enumerate(lines):
                    if i:
                        writer.newline()
                    writer.text(part)
            else:
                writer.text(re.sub(r"\s+", " ", text))
            continue
        if not isinstance(child, Tag):
            continue
        tag = child.name
        if tag == "br":
            writer.newline()
        elif tag == "li":
            writer.block() if _li_is_spaced(child) else writer.newline()
            parent = child.find_parent(("ol", "ul"))
            if parent is not None and parent.name == "ol":
                items = [li for li in parent.find_all("li", recursive=False)]
                start = int(parent["start"]) if str(parent.get("start", "")).isdigit() else 1
                number = start + (items.index(child) if child in items else 0)
                writer.prefix = f"{number}. "
            else:
                writer.prefix = "- "
            _walk_html(child, writer, pre)
            writer.newline()
        elif tag in ("td", "th"):
            if writer.line and "".join(writer.line).strip():
                writer.text(" | ")
            _walk_html(child, writer, pre)
        elif tag == "tr":
            writer.newline()
            _walk_html(child, writer, pre)
            writer.newline()
        elif tag in HTML_HEADINGS or tag in HTML_BLOCK:
            if tag in ("ul", "ol"):
                writer.newline() if child.find_parent("li") else writer.block()
            else:
                writer.block()
            _walk_html(child, writer, pre or tag == "pre")
            if tag in ("ul", "ol") and child.find_parent("li"):
                writer.newline()
            else:
                writer.block()
        else:
            _walk_html(child, writer, pre)


def _li_is_spaced(li) -> bool:
    """List items holding paragraphs are set apart by blank lines, like loose Markdown lists."""
    return li.find("p", recursive=False) is not None


# --- DOCX ------------------------------------------------------------------------
def docx_text(name: str, data: bytes) -> Extracted:
    """Paragraphs, lists and tables of a Word document, in document order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise DocumentRejected(name, f"damaged Word file ({e}); save it again") from e
    if size > MAX_UNZIPPED:
        raise DocumentRejected(name, f"Word file expands to {size} bytes, over {MAX_UNZIPPED}; not a report")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        numbering = _NumberFormats(document)
        blocks: list[str] = []
        previous_list = False
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                rows = _table_rows(item)
                if rows:
                    blocks.append("")
                    blocks.extend(rows)
                    blocks.append("")
                previous_list = False
                continue
            text = SPACE_RUN.sub(" ", item.text.replace("\r", "\n")).strip()
            if not text:
                continue
            marker = numbering.marker(item)
            if marker is not None:
                if not previous_list:
                    blocks.append("")
                blocks.append(marker + text.replace("\n", " "))
                previous_list = True
            else:
                blocks.extend(["", text, ""])
                previous_list = False
    except DocumentRejected:
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise DocumentRejected(name, f"damaged Word file ({type(e).__name__}: {e}); save it again") from e
    except Exception as e:  # noqa: BLE001 -- python-docx and lxml raise arbitrary errors on damaged XML
        raise DocumentRejected(name, f"damaged Word file ({type(e).__name__}: {e}); save it again") from e
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(blocks)).strip("\n")
    return Extracted(text + "\n", [], "docx")


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        line = " | ".join(c for c in cells if c)
        if line:
            rows.append(line)
    return rows


class _NumberFormats:
    """List markers of paragraphs: ``- `` for bullets, ``N. `` for decimal numbering."""

    NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def __init__(self, document):
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            numbering = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for node in numbering.iter(self.NS + "abstractNum"):
            levels = {}
            for level in node.iter(self.NS + "lvl"):
                fmt = level.find(self.NS + "numFmt")
                levels[level.get(self.NS + "ilvl")] = fmt.get(self.NS + "val") if fmt is not None else "bullet"
            abstract[node.get(self.NS + "abstractNumId")] = levels
        for num in numbering.iter(self.NS + "num"):
            ref = num.find(self.NS + "abstractNumId")
            if ref is None:
                continue
            for ilvl, fmt in abstract.get(ref.get(self.NS + "val"), {}).items():
                self.formats[(num.get(self.NS + "numId"), ilvl)] = fmt

    def marker(self, paragraph) -> str | None:
        num_pr = self._num_pr(paragraph)
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if num_pr is None:
            if style.startswith("List Number"):
                key = ("style:" + style, "0")
                self.counters[key] = self.counters.get(key, 0) + 1
                return f"{self.counters[key]}. "
            return "- " if style.startswith(("List Bullet", "List Paragraph", "List")) else None
        num_id, ilvl = num_pr
        if num_id == "0":  # numbering switched off for this paragraph
            return None
        fmt = self.formats.get((num_id, ilvl), "bullet")
        if fmt in ("decimal", "decimalZero"):
            key = (num_id, ilvl)
            self.counters[key] = self.counters.get(key, 0) + 1
            for (other_id, other_level) in list(self.counters):  # a deeper level restarts under a new item
                if other_id == num_id and other_level > ilvl:
                    del self.counters[(other_id, other_level)]
            return f"{self.counters[key]}. "
        return "- "

    def _num_pr(self, paragraph) -> tuple[str, str] | None:
        for element in (paragraph._p, getattr(paragraph.style, "element", None)):
            if element is None:
                continue
            ppr = element.find(self.NS + "pPr")
            num_pr = ppr.find(self.NS + "numPr") if ppr is not None else None
            if num_pr is not None:
                num_id = num_pr.find(self.NS + "numId")
                ilvl = num_pr.find(self.NS + "ilvl")
                return (
                    num_id.get(self.NS + "val") if num_id is not None else "0",
                    ilvl.get(self.NS + "val") if ilvl is not None else "0",
                )
        return None
