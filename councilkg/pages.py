"""The static site: pages rendered with jinja2 from the saved queries only, like Scholia aspects.

Each page kind has a template in ``templates/pages/`` and names the saved queries it
shows (:data:`PAGE_QUERIES`). :class:`Site` runs each query once through
:func:`councilkg.sparql.run` (the function the CLI uses), keeps the rows, and groups
them per council, person, document... in Python; templates only loop over what they
are given and contain no SPARQL. Every resource IRI maps to a site path through
:func:`page_path`, which the server uses too. The site is plain files: the search box
reads ``search-index.js`` (the same data as ``search-index.json``), and the drawings
are inline SVG, so it works from ``file://`` without a network.
"""

from __future__ import annotations

import gc
import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2
import pyoxigraph as ox
from markupsafe import Markup, escape

from councilkg import charts, sparql
from councilkg.errors import CouncilKGError, DocumentRejected
from councilkg.iri import Minter, slug
from councilkg.namespaces import INTERVENTION_NS, ONTOLOGY_IRI, RISK_NS

#: Resource kinds under the base IRI that have a page of their own: ``council/x`` -> ``council/x.html``.
PAGE_KINDS = ("council", "person", "organisation", "document")
#: The saved queries each page kind shows (listed at the foot of the page).
PAGE_QUERIES = {
    "index": ("site-summary", "councils", "documents"),
    "council": ("councils", "council-relationships", "documents", "reviews", "peers", "recommendations",
                "recommendation-progress", "cqc-ratings", "cqc-scores", "metrics", "risks", "interventions",
                "financial-facts", "council-timeline", "organisation-links", "resource-triples"),
    "person": ("person-reviews", "resource-triples"),
    "organisation": ("organisation-links", "resource-triples"),
    "document": ("documents", "document-facts", "resource-triples"),
    "risk": ("risks", "ontology-terms"),
    "intervention": ("interventions", "ontology-terms"),
    "theme": ("recommendations",),
    "relationships": ("person-reviews", "risks", "council-relationships"),
    "ontology": ("ontology-terms",),
    "queries": (),
    "query": (),
}
#: Page groups rendered by a second process when there are two cores or more (see Site.render):
#: the document pages need only ``document-facts`` and each document's own triples, which no other
#: page reads, so the two processes run disjoint queries.
SECOND_PROCESS = ("documents",)
#: The attributes of a Site that say which pages exist (computed once, handed to the second process).
INDEX = ("councils", "council_by_name", "documents", "documents_by_council", "doc_paths", "people", "organisations",
         "risks", "interventions", "themes", "known")
QUOTE_CHARS = 400  # quotes in tables are cut here; the document page shows them in full
RESULT_ROWS = 100  # rows of each query's results shown in the gallery


@cache
def page_path(iri: str, base: str) -> str | None:
    """The site path of a resource's page, or None: the one mapping from IRIs to pages.

    ``<base>council/london-borough-of-camden`` -> ``council/london-borough-of-camden.html``;
    a fact under a council or document (``<base>document/x/risk/y``) -> its page;
    risk and intervention concepts -> ``risk/<notation>.html``; ontology terms -> an anchor.
    """
    base = base if base.endswith(("/", "#")) else base + "/"
    if iri.startswith(base):
        parts = iri[len(base):].split("/")
        if len(parts) >= 2 and parts[0] in PAGE_KINDS and parts[1]:
            return f"{parts[0]}/{parts[1]}.html"
        return None
    for namespace, folder in ((RISK_NS, "risk"), (INTERVENTION_NS, "intervention")):
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{folder}/{iri[len(namespace):]}.html"
    if iri.startswith(ONTOLOGY_IRI + "#"):
        return "ontology/index.html#" + iri[len(ONTOLOGY_IRI) + 1:]
    return None


def theme_path(label: str) -> str:
    return f"theme/{slug(label)}.html"


# -- what templates receive ---------------------------------------------------------------------
@dataclass
class Cell:
    text: str
    hrefs: list[str] = field(default_factory=list)  # zero or one link: templates loop, never branch
    css: str = ""


@dataclass
class Row:
    cells: list[Cell]
    ids: list[str] = field(default_factory=list)  # zero or one id


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[Row]
    empty: str = "Nothing in the graph."

    @property
    def body(self) -> Markup:
        """The rows as ``<tr>`` elements, every text, link and class escaped as jinja2 escapes them.

        Written here rather than by a loop in the template: at 2,500 documents the site has
        some two million cells, and calling markupsafe's ``escape`` for each value of each
        cell was half the time of writing the pages.
        """
        out = []
        for row in self.rows:
            ids = "".join(f' id="{_escape(i)}"' for i in row.ids)
            cells = []
            for c in row.cells:
                text = _escape(c.text)
                inner = "".join(f'<a href="{_escape(href)}">{text}</a>' for href in c.hrefs) or text
                cells.append(f'<td class="{_escape(c.css)}">{inner}</td>')
            out.append(f"<tr{ids}>{''.join(cells)}</tr>\n")
        return Markup("".join(out))


@dataclass
class QueryRef:
    name: str
    href: str


@dataclass
class Section:
    id: str
    title: str
    queries: list[QueryRef]
    tables: list[Table] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)

    @property
    def from_note(self) -> list[str]:
        return ["From the saved queries:"] if self.queries else []


@dataclass
class Segment:
    id: str
    text: str
    css: str
    title: str


@dataclass
class Page:
    kind: str
    path: str
    title: str
    subtitle: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    jsonld: Markup = Markup("{}")
    queries: list[QueryRef] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)  # document pages: the highlighted source
    sparql_text: list[str] = field(default_factory=list)  # query pages: the query (zero or one)
    root: str = ""
    generated: str = ""
    extra: dict = field(default_factory=dict)


try:  # markupsafe's C escaping, without the wrapper that makes a Markup of each value (4 times faster)
    from markupsafe._speedups import _escape_inner as _escape
except ImportError:  # pure-Python markupsafe
    def _escape(text: str) -> str:
        return str(escape(text))


def jsonld_markup(data) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _cut(text: str | None, limit: int = QUOTE_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


class Site:
    """Renders every page of the site from one store."""

    def __init__(self, store, out_dir: Path, sources: Path | None = None, minter: Minter | None = None,
                 now: datetime | None = None):
        self.store = store
        self.out = Path(out_dir)
        self.sources = Path(sources) if sources else None
        self.minter = minter or Minter()
        self.base = self.minter.base
        self.generated = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        self._results: dict[tuple, sparql.Result] = {}
        self._groups: dict = {}
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("councilkg", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.known: set[str] = set()
        self.rendered_elsewhere = 0  # pages the second process wrote (see render)
        self.person_by_name: dict[str, str | None] | None = None  # built on first use (aspects._person_path)

    # -- queries ---------------------------------------------------------------------------
    def rows(self, name: str, **params: str) -> list[dict[str, str | None]]:
        """A saved query's rows as plain strings; the RDF terms are let go (half the memory of the site)."""
        result = self.result(name, **params)
        values = result.values()
        result.rows = []
        return values

    def rows_by(self, name: str, key: str) -> dict[str | None, list[dict[str, str | None]]]:
        """A saved query's rows (run without parameters) grouped by one column, kept for reuse."""
        cache_key = (name, key)
        if cache_key not in self._groups:
            groups: dict[str | None, list[dict[str, str | None]]] = {}
            for row in self.rows(name):
                groups.setdefault(row.get(key), []).append(row)
            self._groups[cache_key] = groups
        return self._groups[cache_key]

    def has_result(self, name: str, **params: str) -> bool:
        """Whether the query has been run (with these parameters) for another page already."""
        return (name, tuple(sorted(params.items()))) in self._results

    def result(self, name: str, **params: str) -> sparql.Result:
        """A saved query's result, run once per distinct parameters and kept."""
        key = (name, tuple(sorted(params.items())))
        if key not in self._results:
            self._results[key] = sparql.run(self.store, name, params, self.minter)
        return self._results[key]

    # -- links -----------------------------------------------------------------------------
    def href(self, root: str, path: str | None) -> list[str]:
        """``[relative link]`` when ``path`` is a page of this site, else ``[]``."""
        if not path:
            return []
        # a page, or an anchor in a page (ontology terms): only if it will be written
        return [root + path] if path in self.known else []

    def cell(self, root: str, text, iri: str | None = None, path: str | None = None, css: str = "") -> Cell:
        target = path if path is not None else (page_path(iri, self.base) if iri else None)
        return Cell("" if text is None else str(text), self.href(root, target), css)

    def doc_cell(self, root: str, source_file: str | None) -> Cell:
        path = self.doc_paths.get(source_file or "")
        return Cell(source_file or "", self.href(root, path))

    def query_refs(self, root: str, names) -> list[QueryRef]:
        return [QueryRef(n, root + f"query/{n}.html") for n in names]

    # -- the site ----------------------------------------------------------------------------
    def render(self, jobs: int = 1) -> list[Path]:
        """Write every page under the output folder; return the files written (pages only).

        With ``jobs`` > 1 and an embedded store, the document pages are rendered by a second
        process at the same time (:data:`SECOND_PROCESS`), which opens the store read-only;
        the files are the same either way (a test compares them).

        Python's cyclic garbage collector is paused meanwhile: the query results kept for the
        pages are millions of objects without cycles, which every collection would walk again
        (at 2,500 documents, a third of the time of building the pages).
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._render(jobs)
        finally:
            if collecting:
                gc.enable()

    def _builders(self) -> list[tuple[str, object]]:
        from councilkg import aspects as build  # the page builders (they import this module)

        return [
            ("index", lambda: [build.index_page(self)]),
            ("councils", lambda: (build.council_page(self, iri) for iri in sorted(self.councils))),
            ("people", lambda: (build.person_page(self, iri) for iri in sorted(self.people))),
            ("organisations", lambda: (build.organisation_page(self, iri) for iri in sorted(self.organisations))),
            ("documents", lambda: (build.document_page(self, iri) for iri in sorted(self.documents))),
            ("risks", lambda: (build.concept_page(self, "risk", notation) for notation in sorted(self.risks))),
            ("interventions", lambda: (build.concept_page(self, "intervention", notation)
                                       for notation in sorted(self.interventions))),
            ("themes", lambda: (build.theme_page(self, label) for label in sorted(self.themes))),
            ("site", lambda: [build.relationships_page(self), build.ontology_page(self), build.queries_page(self)]),
            ("queries", lambda: (build.query_page(self, name) for name in sparql.saved_queries())),
        ]

    def render_groups(self, names) -> dict[str, list[tuple[Path, Page]]]:
        """Write the pages of the named builder groups (each page as soon as it is built, then let go)."""
        done: dict[str, list[tuple[Path, Page]]] = {}
        for name, pages in self._builders():
            if name in names:
                done[name] = [(self.write(page), Page(kind=page.kind, path=page.path, title=page.title))
                              for page in pages()]
        return done

    def _render(self, jobs: int) -> list[Path]:
        self._index_entities()
        names = [name for name, _ in self._builders()]
        path = getattr(self.store, "path", None)
        second = None
        if jobs > 1 and path is not None and self.documents:
            # spawn, not fork: a forked child would inherit RocksDB's threads and locks mid-flight
            pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            state = {name: getattr(self, name) for name in INDEX}
            second = pool.submit(_render_in_second_process, str(path), str(self.out),
                                 str(self.sources) if self.sources else None, self.base, self.generated, state,
                                 SECOND_PROCESS)
            pool.shutdown(wait=False)
        groups = self.render_groups([n for n in names if second is None or n not in SECOND_PROCESS])
        if second is not None:
            theirs = second.result()
            self.rendered_elsewhere = sum(len(pages) for pages in theirs.values())
            groups.update(theirs)
        done = [item for name in names for item in groups.get(name, [])]  # in the builders' order
        self.write_search_index([entry for _, entry in done])
        return [written for written, _ in done]

    def _index_entities(self) -> None:
        """Which pages exist, so that links are made only to pages that will be written."""
        councils = self.rows("councils")
        self.councils = {r["iri"]: r for r in councils}
        self.council_by_name = {r["name"]: r["iri"] for r in councils}
        self.documents = {r["iri"]: r for r in self.rows("documents")}
        self.documents_by_council: dict[str | None, list[dict]] = {}
        for r in self.documents.values():
            self.documents_by_council.setdefault(r["council"], []).append(r)
        self.doc_paths = {r["document"]: page_path(r["iri"], self.base) for r in self.documents.values()}
        self.people = {}
        for r in self.rows("person-reviews"):
            self.people.setdefault(r["personIri"], r["person"])
        self.organisations = {}
        for r in self.rows("organisation-links"):
            if r["isCouncil"] != "true":
                self.organisations.setdefault(r["organisationIri"], r["organisation"])
        terms = self.rows("ontology-terms")
        self.risks = {r["notation"]: r["label"] for r in terms if r["term"].startswith(RISK_NS) and r["notation"]}
        self.interventions = {r["notation"]: r["label"] for r in terms
                              if r["term"].startswith(INTERVENTION_NS) and r["notation"]}
        for r in self.rows("risks"):
            self.risks.setdefault(r["risk"], r["label"])
        for r in self.rows("interventions"):
            self.interventions.setdefault(r["intervention"], r["label"])
        self.themes = sorted({r["theme"] for r in self.rows("recommendations") if r["theme"]})
        self.known = {"index.html", "relationships.html", "queries.html", "ontology/index.html"}
        self.known |= {page_path(i, self.base) for i in [*self.councils, *self.people, *self.organisations, *self.documents]}
        self.known |= {f"risk/{n}.html" for n in self.risks} | {f"intervention/{n}.html" for n in self.interventions}
        self.known |= {theme_path(t) for t in self.themes} | {f"query/{n}.html" for n in sparql.saved_queries()}
        self.known |= {page_path(t["term"], self.base) for t in terms
                       if (page_path(t["term"], self.base) or "").startswith("ontology/index.html#")}
        self.known.discard(None)

    def new_page(self, kind: str, path: str, title: str) -> Page:
        root = "../" * path.count("/")
        return Page(kind=kind, path=path, title=title, root=root, generated=self.generated,
                    queries=self.query_refs(root, PAGE_QUERIES.get(kind, ())))

    def section(self, page: Page, id: str, title: str, queries, **kwargs) -> Section:
        section = Section(id, title, self.query_refs(page.root, queries), **kwargs)
        page.sections.append(section)
        return section

    def description(self, iri: str) -> list[ox.Triple]:
        """The resource's own triples (from the ``resource-triples`` query)."""
        result = sparql.run(self.store, "resource-triples", {"resource": iri}, self.minter)  # once per page: not kept
        return [ox.Triple(r["resource"], r["property"], r["value"]) for r in result.rows]

    def jsonld_for(self, iri: str) -> Markup:
        triples = self.description(iri)
        data = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD)) if triples else [{"@id": iri}]
        return jsonld_markup(data)

    def source_text(self, source_file: str) -> str | None:
        """The decoded source text the evidence offsets point into, or None when it is not at hand."""
        from councilkg import ingest

        if not self.sources:
            return None
        path = self.sources / source_file
        try:
            return ingest.decode(source_file, path.read_bytes())
        except (OSError, DocumentRejected):
            return None

    def write(self, page: Page) -> Path:
        template = self.env.get_template(f"pages/{page.kind}.html")
        target = self.out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(page=page), encoding="utf-8")
        return target

    def write_search_index(self, pages: list[Page]) -> None:
        """``search-index.json`` and the same data as ``search-index.js`` (file:// pages cannot fetch)."""
        entries = [{"title": p.title, "kind": p.kind, "path": p.path} for p in pages if p.kind != "index"]
        data = json.dumps(entries, ensure_ascii=False, indent=0)
        (self.out / "search-index.json").write_text(data, encoding="utf-8")
        script = data.replace("<", "\\u003c")
        (self.out / "search-index.js").write_text(f"window.COUNCILKG_SEARCH = {script};\n", encoding="utf-8")


def render(store, out_dir: Path | str = "site", sources: Path | str | None = "data/sources",
           minter: Minter | None = None, jobs: int | None = None) -> list[Path]:
    """Render the site from ``store`` into ``out_dir``; return the page files written.

    ``jobs``: processes to render with (default: one per CPU core; see :meth:`Site.render`).
    """
    try:
        return Site(store, Path(out_dir), Path(sources) if sources else None, minter).render(
            jobs if jobs is not None else os.cpu_count() or 1)
    except jinja2.TemplateError as e:
        raise CouncilKGError(f"cannot render the pages: template error: {e}") from e


def _render_in_second_process(store_path: str, out_dir: str, sources: str | None, base: str, generated: str,
                              state: dict, names) -> dict[str, list[tuple[Path, Page]]]:
    """Render the pages of ``names`` from the store opened read-only, with the site's index as ``state``."""
    from councilkg.store import EmbeddedStore

    store = EmbeddedStore(Path(store_path), read_only=True)
    try:
        site = Site(store, Path(out_dir), Path(sources) if sources else None, Minter(base),
                    now=datetime.fromisoformat(generated))
        for name, value in state.items():
            setattr(site, name, value)
        gc.disable()
        try:
            return site.render_groups(names)
        except jinja2.TemplateError as e:
            raise CouncilKGError(f"cannot render the pages: template error: {e}") from e
    finally:
        store.close()


__all__ = ["render", "page_path", "Site", "PAGE_QUERIES"]
