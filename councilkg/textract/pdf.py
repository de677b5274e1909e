"""PDF text with pdfminer.six: per page, in reading order, without page furniture.

Lines broken inside a paragraph are joined (hyphens at line ends removed where a word was
split, kept where the document writes the compound with a hyphen elsewhere); running headers
and footers (the same line, numbers aside, at the top or bottom of most pages), page numbers
and table-of-contents lines are dropped.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from councilkg.errors import DocumentRejected
from councilkg.textract._base import SPACE_RUN, Extracted

# --- patterns and limits ------------------------------------------------------------
#: Most pages a PDF may have; more is not a report but a book (and a way to stall a load).
MAX_PAGES = 2000
#: Share of the page height, at the top and at the bottom, where running headers and footers sit.
EDGE_ZONE = 0.12
#: A line seen at a page edge on at least this share of pages (and on 2 or more) is furniture.
FURNITURE_SHARE = 0.5
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

