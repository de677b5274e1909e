"""The static site: every page parses as HTML5, every internal link resolves, document text is escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest

from councilkg import pages
from councilkg.cli import main
from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings

BASE = "https://w3id.org/councilkg/id/"
HACKNEY = BASE + "council/london-borough-of-hackney"
SCRIPT = '<script>alert("councilkg")</script>'


def parse(path: Path):
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(path.read_bytes(), transport_encoding="utf-8")
    return document, parser.errors


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def site(corpus_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    kg = KnowledgeGraph(Settings(store=str(corpus_store), progress=False))
    try:
        written = pages.render(kg.store, out, Path(__file__).parent.parent / "data" / "sources", kg.minter)
    finally:
        kg.close()
    assert written
    return out


def test_page_path_maps_resource_iris_to_site_paths():
    assert pages.page_path(HACKNEY, BASE) == "council/london-borough-of-hackney.html"
    assert pages.page_path(BASE + "person/stuart-reid", BASE) == "person/stuart-reid.html"
    assert pages.page_path(BASE + "document/x/risk/cyber-attack", BASE) == "document/x.html"
    assert pages.page_path(HACKNEY + "/progress-review/2025-10-09", BASE) == "council/london-borough-of-hackney.html"
    assert pages.page_path("https://w3id.org/councilkg/risk/cyber-attack", BASE) == "risk/cyber-attack.html"
    assert pages.page_path("https://w3id.org/councilkg/ontology#Council", BASE) == "ontology/index.html#Council"
    assert pages.page_path("http://example.org/else", BASE) is None


def test_the_site_has_every_kind_of_page(site):
    for path in ["index.html", "relationships.html", "queries.html", "ontology/index.html",
                 "council/london-borough-of-hackney.html", "person/stuart-reid.html", "person/mona-sehgal.html",
                 "document/havering-cpc-progress-review-2024-05.html", "risk/cyber-attack.html",
                 "intervention/cqc-assessment.html", "query/council-relationships.html",
                 "search-index.json", "search-index.js"]:
        assert (site / path).is_file(), path
    assert list((site / "organisation").glob("*.html"))
    assert list((site / "theme").glob("*.html"))


def test_every_page_parses_as_html5_without_errors(site):
    failures = {}
    for page in sorted(site.rglob("*.html")):
        _, errors = parse(page)
        if errors:
            failures[str(page.relative_to(site))] = errors[:3]
    assert not failures


def test_every_internal_link_resolves(site):
    """A crawler from index.html: every href/src inside the site names a file, and its #fragment an id."""
    ids: dict[Path, set[str]] = {}
    links: dict[Path, list[str]] = {}
    todo, seen = [site / "index.html"], set()
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        document, _ = parse(page)
        ids[page] = {e.get("id") for e in document.iter() if e.get("id")}
        links[page] = [e.get("href") or e.get("src") for e in document.iter() if e.get("href") or e.get("src")]
        for link in links[page]:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//") or not parts.path.endswith(".html"):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_file():
                todo.append(target)
    broken = []
    for page, hrefs in links.items():
        for link in hrefs:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto") or link.startswith("//"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {e.get("id") for e in parse(target)[0].iter() if e.get("id")}
                if parts.fragment not in ids[target]:
                    broken.append(f"{page.relative_to(site)} -> {link} (no such anchor)")
    assert not broken, broken[:20]
    assert len(seen) > 50  # the crawl reached the council, person, document... pages


def test_hackney_page_names_related_councils_with_reasons(site):
    document, _ = parse(site / "council" / "london-borough-of-hackney.html")
    section = next(e for e in document.iter("section") if e.get("id") == "related-councils")
    rows = [text_of(tr) for tr in section.iter("tr")]
    assert any("London Borough of Havering" in r and "shared peer" in r and "Stuart Reid" in r for r in rows), rows
    assert any("London Borough of Tower Hamlets" in r and "shared adviser" in r and "Mona Sehgal" in r for r in rows), rows
    # each relation links to its evidence: a document page
    links = [a.get("href") for a in section.iter("a")]
    assert any(h.startswith("../document/") for h in links)


def test_council_page_draws_charts_and_lists_its_queries(site):
    document, _ = parse(site / "council" / "london-borough-of-hackney.html")
    svgs = [e for e in document.iter() if e.tag.endswith("svg") and e.get("role") == "img"]
    titles = {e.get("aria-label") for e in svgs}
    assert any("CQC" in t for t in titles) and any("England average" in t for t in titles)
    assert any("Timeline" in t for t in titles)
    footer = text_of(next(document.iter("footer")))
    for name in pages.PAGE_QUERIES["council"]:
        assert name in footer


def test_every_page_embeds_json_ld(site):
    for page in list(site.rglob("*.html"))[:400]:
        html = page.read_text(encoding="utf-8")
        m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert m, page
        assert "<" not in m.group(1)
        json.loads(m.group(1))
    hackney = (site / "council" / "london-borough-of-hackney.html").read_text(encoding="utf-8")
    assert HACKNEY in re.search(r'application/ld\+json">(.*?)</script>', hackney, re.S).group(1)


def test_json_ld_escapes_markup():
    text = str(pages.jsonld_markup({"name": f"{SCRIPT} & </script>"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == f"{SCRIPT} & </script>"


def test_document_page_highlights_evidence_in_the_source(site):
    page = site / "document" / "havering-cpc-progress-review-2024-05.html"
    document, _ = parse(page)
    marked = [e for e in document.iter("span") if e.get("class") == "ev"]
    assert marked
    anchors = [a.get("href") for a in document.iter("a") if (a.get("href") or "").startswith("#o")]
    assert anchors and all(any(e.get("id") == h[1:] for e in marked) for h in anchors[:20])


def test_document_text_with_script_is_escaped(sources_copy, tmp_path, runner):
    source = sources_copy / "havering-cpc-progress-review-2024-05.txt"
    source.write_text(source.read_text(encoding="utf-8") + f"\n\nNote for members: {SCRIPT} is not a risk.\n",
                      encoding="utf-8")
    store, site = tmp_path / "store", tmp_path / "site"
    result = runner.invoke(main, ["load", str(sources_copy), "--store", str(store)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["pages", "-o", str(site), "--sources", str(sources_copy), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^pages: +.* \(\d+ pages\)$", result.output, re.M)
    html = (site / "document" / "havering-cpc-progress-review-2024-05.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;councilkg&#34;)&lt;/script&gt;" in html
    for page in site.rglob("*.html"):
        assert SCRIPT not in page.read_text(encoding="utf-8"), page


def test_build_writes_the_pages(sources_copy, tmp_path, runner):
    site = tmp_path / "site"
    args = ["build", "--sources", str(sources_copy), "--ttl-dir", str(tmp_path / "ttl"), "--site", str(site),
            "--store", str(tmp_path / "store")]
    result = runner.invoke(main, args)
    lines = result.output.splitlines()
    turtle = next(i for i, line in enumerate(lines) if line.startswith("turtle:"))
    assert re.fullmatch(rf"pages: +{re.escape(str(site))}/ \((\d+) pages\)", lines[turtle + 1]), result.output
    assert (site / "council" / "london-borough-of-hackney.html").is_file()
    result = runner.invoke(main, [*args, "--no-pages"])
    assert "pages:" not in result.output


def test_search_index_lists_pages(site):
    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert {"title": "London Borough of Hackney", "kind": "council", "path": "council/london-borough-of-hackney.html"} in entries
    assert all((site / e["path"]).is_file() for e in entries)
    assert (site / "search-index.js").read_text(encoding="utf-8").startswith("window.COUNCILKG_SEARCH = ")


def test_templates_hold_no_sparql():
    templates = Path(pages.__file__).parent / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\b(SELECT|CONSTRUCT|PREFIX)\b", text), template


def test_two_processes_write_the_site_one_writes(corpus_store, tmp_path):
    """With two jobs the document pages come from a second process (the store opened read-only
    beside this one): every file is byte for byte what one process writes, the search index included."""
    from datetime import datetime, timezone

    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    sources = Path(__file__).parent.parent / "data" / "sources"
    kg = KnowledgeGraph(Settings(store=str(corpus_store), progress=False))
    try:
        serial = pages.Site(kg.store, tmp_path / "one", sources, kg.minter, now=now)
        one = serial.render(jobs=1)
        parallel = pages.Site(kg.store, tmp_path / "two", sources, kg.minter, now=now)
        two = parallel.render(jobs=2)
    finally:
        kg.close()
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert any(str(f).startswith("document/") for f in files) and len(files) > 50
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    for f in files:
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes(), f
    assert [p.relative_to(tmp_path / "one") for p in one] == [p.relative_to(tmp_path / "two") for p in two]
    assert serial.rendered_elsewhere == 0
    assert parallel.rendered_elsewhere == sum(1 for f in files if str(f).startswith("document/"))
