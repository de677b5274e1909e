"""Word documents with python-docx: paragraphs, lists as bullets or numbers, tables row by row."""

from __future__ import annotations

import io
import re
import zipfile

from councilkg.errors import DocumentRejected
from councilkg.textract._base import SPACE_RUN, Extracted

#: Most bytes a DOCX may expand to (a ZIP bomb guard).
MAX_UNZIPPED = 512 * 1024 * 1024


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
