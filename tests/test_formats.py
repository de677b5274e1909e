"""Documents as users have them: PDF, HTML and Word renderings of the samples, other encodings,
and the cleaning of PDF page furniture."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest

from councilkg import ingest
from councilkg.cli import main
from councilkg.errors import DocumentRejected
from councilkg.loaders import Document
from councilkg.model import Extraction, Span
from councilkg.textract import extract_text, sniff
from tests.conftest import SOURCES
from tests.renderings import FOOTER_TEXT, HEADER_TEXT, RENDERERS

SAMPLES = sorted(p for p in SOURCES.iterdir() if p.suffix in (".txt", ".md"))
#: The share of the text version's facts each rendering must yield.
MIN_RATIO = 0.95


def norm(value) -> str:
    text = re.sub(r"[‘’`]", "'", str(value))
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[–—]", "-", text).replace("**", "")
    return " ".join(text.lower().split())


def facts(extraction: Extraction) -> set[tuple]:
    """The facts the acceptance compares: council, date, peers, recommendations, risks,
    interventions, financial facts, CQC scores and rating, in normalised text."""
    out: set[tuple] = set()
    if extraction.council:
        out.add(("council", norm(extraction.council.name)))
    if extraction.date:
        out.add(("date", extraction.date.iso()))
    out |= {("peer", norm(p.name), norm(p.role or ""), norm(p.organisation or "")) for p in extraction.peers}
    out |= {("recommendation", r.number, norm(r.title)) for r in extraction.recommendations}
    out |= {("risk", r.notation) for r in extraction.risks}
    out |= {("intervention", i.notation, i.date.iso() if i.date else None) for i in extraction.interventions}
    out |= {("financial", norm(f.measure), str(f.value), f.unit, norm(f.period or "")) for f in extraction.financial_facts}
    out |= {("quality-statement", norm(q.name), q.score) for q in extraction.quality_statements}
    if extraction.rating:
        out.add(("rating", norm(extraction.rating.value)))
    return out


def all_facts(extraction: Extraction) -> set[tuple]:
    """Every fact of every list, for the broader figure printed alongside."""
    out = facts(extraction)
    out |= {("person", norm(p.name), norm(p.role or "")) for p in extraction.people}
    out |= {("observation", norm(o.indicator), str(o.value)) for o in extraction.observations}
    out |= {("event", norm(e.label), e.date.iso()) for e in extraction.events}
    out |= {("organisation", norm(o.name)) for o in extraction.organisations}
    out |= {("claim", c.subject, c.property, norm(c.value)) for c in extraction.claims}
    out |= {("statement", s.category, norm(s.evidence.quote)[:80]) for s in extraction.statements + extraction.topics}
    return out


def spans(value) -> list[Span]:
    """Every evidence span in an extraction."""
    if isinstance(value, Span):
        return [value]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in spans(getattr(value, f.name))]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in spans(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in spans(item)]
    return []


@cache
def text_extraction(sample: Path) -> Extraction:
    document, _ = ingest.read_document(sample, 10**8)
    return ingest.extract(document)[2 - 1]


@cache
def rendering(sample: Path, fmt: str) -> bytes:
    return RENDERERS[fmt](sample.read_text(encoding="utf-8"))


def rendered_document(sample: Path, fmt: str, tmp_path: Path) -> Document:
    path = tmp_path / f"{sample.stem}.{fmt}"
    path.write_bytes(rendering(sample, fmt))
    return ingest.read_document(path, 10**8)[0]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_rendering_yields_the_facts_of_the_text(sample, fmt, tmp_path):
    document = rendered_document(sample, fmt, tmp_path)
    _, extraction, _ = ingest.extract(document)
    want, got = facts(text_extraction(sample)), facts(extraction)
    ratio = len(want & got) / len(want)
    broad_want, broad_got = all_facts(text_extraction(sample)), all_facts(extraction)
    broad = len(broad_want & broad_got) / len(broad_want)
    print(f"{sample.stem} {fmt}: {len(want & got)}/{len(want)} facts ({ratio:.1%}); "
          f"all lists {len(broad_want & broad_got)}/{len(broad_want)} ({broad:.1%})")
    assert want, "the text version yields no facts to compare"
    assert ratio >= MIN_RATIO, sorted(want - got, key=str)
    assert extraction.kind == text_extraction(sample).kind


@cache
def pdf_page_texts(sample: Path) -> list[str]:
    """Each page's text as pdfminer reads it on its own, without the renderer's furniture, white space collapsed."""
    from pdfminer.high_level import extract_text as pdfminer_text

    data = rendering(sample, "pdf")
    texts = []
    page = 0
    while True:
        text = pdfminer_text(io.BytesIO(data), page_numbers=[page])
        if not text.strip():
            break
        text = re.sub(rf"^(?:{re.escape(HEADER_TEXT)}|{FOOTER_TEXT}|Page \d+|\(cid:\d+\))$", "", text, flags=re.M)
        texts.append(" ".join(text.split()))
        page += 1
    return texts


def starts_on_page(quote: str, pages: list[str], page: int) -> bool:
    """Whether the quote's opening words stand on ``page`` (1-based), running on to the next page or not."""
    head = " ".join(re.sub(r"^[•\-\s]+", "", quote).split())[:40]
    here = pages[page - 1]
    found = (here + " " + (pages[page] if page < len(pages) else "")).find(head)
    return 0 <= found < len(here)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_pdf_evidence_names_its_page(sample, tmp_path):
    document = rendered_document(sample, "pdf", tmp_path)
    assert document.pages[0] == 0 and len(document.pages) == len(pdf_page_texts(sample)) > 1
    _, extraction, _ = ingest.extract(document)
    evidence = spans(extraction)
    assert evidence
    pages = pdf_page_texts(sample)
    wrong = []
    for span in evidence:
        assert span.page is not None, span
        if not starts_on_page(span.quote, pages, span.page):
            wrong.append((span.page, span.quote[:40], [n for n in range(1, len(pages) + 1)
                                                       if starts_on_page(span.quote, pages, n)]))
    on_later_pages = sum(1 for span in evidence if span.page > 1)
    print(f"{sample.stem}: {len(evidence) - len(wrong)}/{len(evidence)} evidence spans on the named page "
          f"({on_later_pages} past page 1, {len(pages)} pages)")
    assert not wrong, wrong[:5]
    assert on_later_pages


def test_inspect_shows_the_page_of_pdf_evidence(runner, tmp_path):
    sample = SOURCES / "havering-cpc-progress-review-2024-05.txt"
    path = tmp_path / "havering.pdf"
    path.write_bytes(rendering(sample, "pdf"))
    result = runner.invoke(main, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    extraction = json.loads(result.stdout)["extraction"]
    assert {p["evidence"]["page"] for p in extraction["peers"]} == {1}
    pages = {f["evidence"]["page"] for f in extraction["financial_facts"] + extraction["risks"]}
    assert min(pages) >= 1 and max(pages) > 1


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_load_reads_each_format_by_content_whatever_its_name(runner, store_path, tmp_path, fmt):
    sample = SOURCES / "havering-cpc-progress-review-2024-05.txt"
    named = tmp_path / f"havering.{fmt}"
    misnamed = tmp_path / "downloaded-file.bin"
    named.write_bytes(rendering(sample, fmt))
    misnamed.write_bytes(rendering(sample, fmt).replace(b"Havering", b"Bexleyish") if fmt == "html"
                         else rendering(sample, fmt))
    assert sniff(named.name, named.read_bytes()) == fmt
    assert sniff(misnamed.name, misnamed.read_bytes()) == fmt
    result = runner.invoke(main, ["load", str(named), str(misnamed), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert sum(line.startswith("loaded ") for line in result.stdout.splitlines()) == 2


def test_furniture_is_removed_from_pdf_text(tmp_path):
    sample = SOURCES / "tower-hamlets-cpc-progress-review-2025-10.txt"
    document = rendered_document(sample, "pdf", tmp_path)
    assert len(document.pages) >= 4
    assert HEADER_TEXT not in document.source
    assert FOOTER_TEXT not in document.source
    assert not re.search(r"^Page \d+$", document.source, re.M)


def _canvas_pdf(pages: list[list[str]], header: str | None = None, size=11) -> bytes:
    """A PDF with lines drawn exactly as given (line breaks where a typesetter put them)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    for number, lines in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 8)
            c.drawString(60, height - 30, header)
            c.drawCentredString(width / 2, 25, f"- {number} -")
        c.setFont("Helvetica", size)
        y = height - 90
        for line in lines:
            if line:
                c.drawString(60, y, line)
            y -= size * 1.25 if line else size * 2
        c.showPage()
    c.save()
    return out.getvalue()


def test_pdf_lines_are_joined_and_hyphens_removed_where_words_were_split():
    page1 = [
        "The council has made good progress on its improve-",
        "ment plan, and staff well-being is now reported to",
        "the cabinet every quarter since the peer review of",
        "May 2024.",
        "",
        "Staff well-",
        "being and the self-assessment were both discussed.",
    ]
    extracted = extract_text("lines.pdf", _canvas_pdf([page1]))
    assert extracted.format == "pdf" and extracted.pages == [0]
    assert ("The council has made good progress on its improvement plan, and staff well-being is now reported "
            "to the cabinet every quarter since the peer review of May 2024.") in extracted.text
    assert "Staff well-being and the self-assessment were both discussed." in extracted.text


def test_pdf_running_header_page_numbers_and_contents_are_dropped():
    header = "Corporate Peer Challenge – Progress Review"
    contents = ["Contents", "1. Introduction ........ 2", "2. Recommendations ....... 3", "3. Next steps 4", ""]
    words = ["budget", "workforce", "housing", "governance"]
    body = [[f"On {words[n - 1]}, a gap of £{n}m for the year was noted.", "", "More text follows here."]
            for n in range(1, 5)]
    body[0] = contents + body[0]
    extracted = extract_text("report.pdf", _canvas_pdf(body, header=header))
    assert len(extracted.pages) == 4
    assert header not in extracted.text
    assert "- 2 -" not in extracted.text and "........" not in extracted.text
    assert "3. Next steps 4" not in extracted.text
    for n in range(1, 5):
        start, end = extracted.pages[n - 1], (extracted.pages + [len(extracted.text)])[n]
        assert f"On {words[n - 1]}, a gap of £{n}m for the year was noted." in extracted.text[start:end]


def test_html_keeps_the_main_text_and_marks_lists():
    page = b"""<!doctype html><html><head><title>t</title><style>.x{}</style></head><body>
    <header><a href="/">Site home</a></header><nav><ul><li>Menu item</li></ul></nav>
    <main><h1>Progress <em>Review</em></h1><p>The council   agreed
    the plan.<br>Second line.</p>
    <ul><li>First point</li><li>Second <b>point</b></li></ul>
    <ol start="3"><li>Third</li><li>Fourth</li></ol>
    <table><tr><th>Year</th><th>Gap</th></tr><tr><td>2024/25</td><td>&pound;54m</td></tr></table>
    <script>document.write("<p>injected</p>")</script></main>
    <footer>Cookies</footer></body></html>"""
    extracted = extract_text("page.html", page)
    assert extracted.format == "html" and extracted.pages == []
    lines = [line for line in extracted.text.splitlines() if line]
    assert lines == ["Progress Review", "The council agreed the plan.", "Second line.", "- First point",
                     "- Second point", "3. Third", "4. Fourth", "Year | Gap", "2024/25 | £54m"]


def test_docx_paragraphs_lists_and_tables():
    import docx

    document = docx.Document()
    document.add_heading("Progress Review", level=1)
    document.add_paragraph("The council agreed the plan.")
    document.add_paragraph("First point", style="List Bullet")
    document.add_paragraph("Second point", style="List Bullet")
    document.add_paragraph("Recruit a chief executive", style="List Number")
    document.add_paragraph("Close the budget gap", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Year", "Gap"), ("2024/25", "£54m"))):
        for cell, value in zip(row.cells, values):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    extracted = extract_text("plan.docx", out.getvalue())
    assert extracted.format == "docx"
    lines = [line for line in extracted.text.splitlines() if line]
    assert lines == ["Progress Review", "The council agreed the plan.", "- First point", "- Second point",
                     "1. Recruit a chief executive", "2. Close the budget gap", "Year | Gap", "2024/25 | £54m"]


def test_other_zip_formats_are_named():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentRejected, match="spreadsheet or presentation"):
        extract_text("budget.xlsx", out.getvalue())


# --- encodings -----------------------------------------------------------------
MONEY_SAMPLE = SOURCES / "havering-cpc-progress-review-2024-05.txt"


def money(document: Document) -> list[tuple]:
    _, extraction, _ = ingest.extract(document)
    return sorted((f.measure, str(f.value), f.unit, f.value_as_written, f.evidence.quote)
                  for f in extraction.financial_facts)


@pytest.mark.parametrize(
    "encoding, prefix, crlf",
    [("cp1252", b"", False), ("cp1252", b"", True), ("utf-8", b"\xef\xbb\xbf", True), ("utf-16", b"", False),
     ("utf-16-le", b"", True), ("utf-16-be", b"", False)],
)
def test_encodings_give_the_same_financial_facts(tmp_path, encoding, prefix, crlf):
    text = MONEY_SAMPLE.read_text(encoding="utf-8")
    assert "£" in text
    utf8 = ingest.read_document(MONEY_SAMPLE, 10**8)[0]
    expected = money(utf8)
    assert expected and any("£" in f[3] for f in expected)
    path = tmp_path / "copy.txt"
    path.write_bytes(prefix + (text.replace("\n", "\r\n") if crlf else text).encode(encoding))
    document = ingest.read_document(path, 10**8)[0]
    assert document.source == text
    assert money(document) == expected


def test_windows_1252_copy_loads_with_the_same_financial_facts(runner, tmp_path):
    path = tmp_path / "havering-1252.txt"
    path.write_bytes(MONEY_SAMPLE.read_text(encoding="utf-8").encode("cp1252"))
    expected = runner.invoke(main, ["inspect", str(MONEY_SAMPLE), "--format", "json"])
    got = runner.invoke(main, ["inspect", str(path), "--format", "json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["extraction"]["financial_facts"] == json.loads(expected.stdout)["extraction"]["financial_facts"]


def test_form_feeds_mark_pages_of_text():
    extracted = extract_text("pdftotext.txt", b"page one\n\x0cpage two\n\x0cpage three\n")
    assert extracted.pages == [0, 10, 20]
