"""Web pages with BeautifulSoup (lxml): the main content, block by block, lists as Markdown-ish bullets."""

from __future__ import annotations

import re

from councilkg.errors import DocumentRejected
from councilkg.textract._base import SPACE_RUN, WORD, Extracted

# --- tags -------------------------------------------------------------------------
HTML_DROP = {"script", "style", "noscript", "template", "nav", "svg", "iframe", "object", "embed", "canvas",
             "form", "button", "select", "input", "textarea", "aside", "dialog", "map", "audio", "video"}
HTML_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "dl", "dt", "dd",
              "figure", "figcaption", "address", "hr", "details", "summary", "fieldset", "legend", "center",
              "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr",
              "caption", "body", "html"}
HTML_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


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

