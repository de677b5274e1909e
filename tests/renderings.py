"""PDF, HTML and DOCX renderings of a text or Markdown document, as users receive such reports.

Each line of the text becomes a paragraph; ``#`` lines become headings; ``-``, ``•`` and
``·`` lines become list items; ``**bold**`` stays bold. The PDF carries what real
reports carry: a running header, a footer with a protective marking and "Page N of M".
"""

from __future__ import annotations

import html
import io
import re

BULLET_LINE = re.compile(r"^\s*(?:[-•·*]|\u00b7)\s+(?P<item>.*)$")
NUMBERED_LINE = re.compile(r"^\s*(?P<n>\d{1,2})\.\s+(?P<item>\S.*)$")
HEADING_LINE = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*)$")
RULE_LINE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
BOLD = re.compile(r"\*\*(.+?)\*\*")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SUP = re.compile(r"<sup>(.*?)</sup>", re.I)
TAG = re.compile(r"</?[a-zA-Z][^>]*>")

HEADER_TEXT = "Oversight report – published copy"
FOOTER_TEXT = "OFFICIAL"


def blocks(text: str):
    """(kind, level, text) for each non-empty line: heading, bullet, numbered or para."""
    for line in text.splitlines():
        if not line.strip() or RULE_LINE.match(line):
            continue
        line = LINK.sub(r"\1", line).replace("\t", " ")
        m = HEADING_LINE.match(line)
        if m:
            yield "heading", len(m["marks"]), m["text"].strip()
            continue
        m = BULLET_LINE.match(line)
        if m:
            yield "bullet", 0, m["item"].strip()
            continue
        yield "para", 0, line.strip()


def _inline_markup(text: str, bold_tag: str, sup_tag: str) -> str:
    """Escape text, then turn **bold** and <sup> into the target's own markup."""
    sups = []
    text = SUP.sub(lambda m: sups.append(m[1]) or f"\x00{len(sups) - 1}\x00", text)
    text = TAG.sub("", text)
    out = html.escape(text, quote=False)
    out = BOLD.sub(lambda m: f"<{bold_tag}>{m[1]}</{bold_tag}>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: f"<{sup_tag}>{html.escape(sups[int(m[1])])}</{sup_tag}>", out)


def _plain(text: str) -> str:
    text = SUP.sub(r"\1", text)
    return BOLD.sub(r"\1", TAG.sub("", text))


def to_pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = []
    pending_bullets: list = []

    def flush_bullets():
        if pending_bullets:
            story.append(ListFlowable([ListItem(p, leftIndent=12) for p in pending_bullets], bulletType="bullet",
                                      start="•", leftIndent=12))
            pending_bullets.clear()

    for kind, level, line in blocks(text):
        markup = _inline_markup(line, "b", "super")
        if kind == "bullet":
            pending_bullets.append(Paragraph(markup, body))
            continue
        flush_bullets()
        if kind == "heading":
            story.append(Paragraph(markup, styles[f"Heading{min(level + 1, 4)}"]))
        else:
            story.append(Paragraph(markup, body))
    flush_bullets()

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        width, height = A4
        canvas.drawString(20 * mm, height - 12 * mm, HEADER_TEXT)
        canvas.drawString(20 * mm, 10 * mm, FOOTER_TEXT)
        canvas.drawRightString(width - 20 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title="report", topMargin=22 * mm, bottomMargin=20 * mm)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def to_html(text: str) -> bytes:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>Report</title>',
             "<style>body { font-family: sans-serif }</style><script>var tracking = 'x < y';</script></head><body>",
             '<header><nav><a href="/">Home</a> <a href="/search">Search</a></nav></header>', "<main>"]
    in_list = False
    for kind, level, line in blocks(text):
        markup = _inline_markup(line, "strong", "sup")
        if kind == "bullet":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"  <li>{markup}</li>")
            continue
        if in_list:
            parts.append("</ul>")
            in_list = False
        if kind == "heading":
            parts.append(f"<h{level}>{markup}</h{level}>")
        else:
            parts.append(f"<p>{markup}</p>")
    if in_list:
        parts.append("</ul>")
    parts += ["</main>", "<footer><p>Cookie settings | Accessibility statement</p></footer>", "</body></html>"]
    return "\n".join(parts).encode("utf-8")


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    section.footer.paragraphs[0].text = FOOTER_TEXT
    for kind, level, line in blocks(text):
        if kind == "heading":
            document.add_heading(_plain(line), level=min(level, 9))
            continue
        paragraph = document.add_paragraph(style="List Bullet" if kind == "bullet" else None)
        pos = 0
        plain = SUP.sub(r"\1", TAG.sub(lambda m: m[0] if m[0].lower() in ("<sup>", "</sup>") else "", line))
        for m in BOLD.finditer(plain):
            paragraph.add_run(plain[pos:m.start()])
            paragraph.add_run(m[1]).bold = True
            pos = m.end()
        paragraph.add_run(plain[pos:])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


RENDERERS = {"pdf": to_pdf, "html": to_html, "docx": to_docx}
