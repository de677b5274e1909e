"""Page builders, one per page kind: group the saved queries' rows into sections, tables and drawings.

Each builder reads only :meth:`Site.rows` (saved queries, each run once and kept) and
returns a :class:`~councilkg.pages.Page` for its template in ``templates/pages/``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from councilkg import charts, sparql
from councilkg.errors import CouncilKGError
from councilkg.namespaces import INTERVENTION_NS, ONTOLOGY_GRAPH, RISK_NS
from councilkg.pages import (
    PAGE_QUERIES, RESULT_ROWS, Cell, Page, Row, Segment, Site, Table, _cut, _local, _number, jsonld_markup,
    page_path, theme_path,
)

ENGLAND = "England average"
RELATION_ORDER = ["shared peer", "shared adviser", "shared risk", "similar recommendation", "shared service"]
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"


def _page_jsonld(page: Page, kind: str, about: list[str] | None = None, **values) -> None:
    data = {"@type": SCHEMA + kind, SCHEMA + "name": page.title, SCHEMA + "dateModified": page.generated}
    if about:
        data[SCHEMA + "about"] = [{"@id": iri} for iri in about]
    data.update(values)
    page.jsonld = jsonld_markup(data)


# -- index ----------------------------------------------------------------------------------------
def index_page(site: Site) -> Page:
    page = site.new_page("index", "index.html", "councilkg: English local-government oversight")
    r = page.root
    summary = (site.rows("site-summary") or [{}])[0]
    counts = [(k, summary.get(k) or "0") for k in ("documents", "councils", "people", "organisations", "facts", "graphs")]
    page.subtitle = [f"Site built {site.generated}; last document loaded {summary.get('lastLoaded') or 'never'}."]
    site.section(page, "counts", "What the graph holds", ["site-summary"], tables=[
        Table("", ["what", "how many"], [Row([Cell(k), Cell(v)]) for k, v in counts])])
    docs_by_council = defaultdict(int)
    for d in site.documents.values():
        docs_by_council[d["council"]] += 1
    rows = [Row([site.cell(r, c["name"], c["iri"]), Cell(c["gss"] or ""), Cell(str(docs_by_council.get(c["name"], 0)))])
            for c in site.councils.values()]
    site.section(page, "councils", "Councils", ["councils"], tables=[Table("", ["council", "GSS code", "documents"], rows)])
    rows = [Row([site.cell(r, d["document"], d["iri"]), Cell(d["kind"]), site.cell(r, d["council"], site.council_by_name.get(d["council"])),
                 Cell(d["title"] or ""), Cell(d["date"] or "")]) for d in site.documents.values()]
    site.section(page, "documents", "Documents", ["documents"],
                 tables=[Table("", ["document", "kind", "council", "title", "date"], rows)])
    _page_jsonld(page, "Dataset", list(site.councils), **{VOID + k: int(v) for k, v in counts if str(v).isdigit()})
    return page


# -- council --------------------------------------------------------------------------------------
def _for_council(site: Site, name: str, iri: str, key: str = "councilIri") -> list[dict]:
    """The rows of a saved query about one council (the query runs once for every page)."""
    return site.rows_by(name, key).get(iri, [])


def council_page(site: Site, iri: str) -> Page:
    info = site.councils[iri]
    page = site.new_page("council", page_path(iri, site.base), info["name"])
    r = page.root
    page.subtitle = [f"ONS code {info['gss']}" if info["gss"] else "No ONS code known", iri]
    page.jsonld = site.jsonld_for(iri)

    related = sorted(_for_council(site, "council-relationships", iri, "council1Iri"),
                     key=lambda x: (x["council2"], RELATION_ORDER.index(x["relation"]) if x["relation"] in RELATION_ORDER else 9))
    rows = [Row([site.cell(r, x["council2"], x["council2Iri"]), Cell(x["relation"], css="relation"),
                 _via_cell(site, r, x), site.doc_cell(r, x["evidenceDocument"]), site.doc_cell(r, x["ownDocument"]),
                 Cell(_cut(x["evidence"], 160), css="quote")]) for x in related]
    site.section(page, "related-councils", "Related councils", ["council-relationships"],
                 intro=["Councils linked to this one across documents, each with its reason and the evidence."],
                 tables=[Table("", ["council", "reason", "via", "evidence (their side)", "evidence (this side)", "quote"],
                               rows, "No related council found.")])

    docs = site.documents_by_council.get(info["name"], [])
    site.section(page, "documents", "Documents", ["documents"], tables=[Table("", ["document", "kind", "title", "date"], [
        Row([site.cell(r, d["document"], d["iri"]), Cell(d["kind"]), Cell(d["title"] or ""), Cell(d["date"] or "")])
        for d in docs], "No document is about this council.")])

    _reviews_section(site, page, iri)
    _recommendations_section(site, page, iri)
    _cqc_section(site, page, iri)
    _metrics_section(site, page, iri)
    site.section(page, "risks", "Risks", ["risks"], tables=[Table("", ["risk", "label", "document", "evidence"], [
        Row([site.cell(r, x["risk"], path=f"risk/{x['risk']}.html"), Cell(x["label"]), site.doc_cell(r, x["document"]),
             Cell(_cut(x["evidence"]), css="quote")]) for x in _for_council(site, "risks", iri)])])
    site.section(page, "interventions", "Interventions and inspections", ["interventions"], tables=[Table(
        "", ["intervention", "label", "date", "outcome", "document", "evidence"], [
            Row([site.cell(r, x["intervention"], path=f"intervention/{x['intervention']}.html"), Cell(x["label"]),
                 Cell(x["date"] or ""), Cell(x["outcome"] or ""), site.doc_cell(r, x["document"]),
                 Cell(_cut(x["evidence"]), css="quote")]) for x in _for_council(site, "interventions", iri)])])
    site.section(page, "financial-facts", "Financial facts", ["financial-facts"], tables=[Table(
        "", ["measure", "period", "value", "unit", "as written", "document", "evidence"], [
            Row([Cell(x["measure"]), Cell(x["period"] or ""), Cell(x["value"], css="num"), Cell(x["unit"]),
                 Cell(x["asWritten"] or ""), site.doc_cell(r, x["document"]), Cell(_cut(x["evidence"]), css="quote")])
            for x in _for_council(site, "financial-facts", iri)])])
    _timeline_section(site, page, iri)
    named = _for_council(site, "organisation-links", iri, "organisationIri")
    site.section(page, "named-in", "Named in documents", ["organisation-links"], tables=[Table(
        "", ["how", "as written", "person", "document about", "document", "evidence"], [
            Row([Cell(x["link"]), Cell(x["asWritten"] or ""), site.cell(r, x["person"] or "", x["personIri"]),
                 site.cell(r, x["council"] or "", x["councilIri"]), site.doc_cell(r, x["document"]),
                 Cell(_cut(x["evidence"], 240), css="quote")]) for x in named])])
    return page


def _via_cell(site: Site, root: str, x: dict) -> Cell:
    if x["relation"] == "shared risk":
        return site.cell(root, x["via"], x["viaIri"])
    if x["relation"] in ("shared peer", "shared adviser"):
        return site.cell(root, x["via"], x["viaIri"])
    return Cell(_cut(x["via"], 160))


def _reviews_section(site: Site, page: Page, iri: str) -> None:
    r = page.root
    peers = defaultdict(list)
    for p in _for_council(site, "peers", iri):
        peers[p["review"]].append(p)
    section = site.section(page, "reviews", "Reviews and peer teams", ["reviews", "peers"])
    reviews = _for_council(site, "reviews", iri)
    section.tables.append(Table("Reviews, inspections and meetings", ["review", "kind", "date", "rating", "document"], [
        Row([Cell(x["label"] or _local(x["review"])), Cell(x["kind"] or ""), Cell(x["date"] or ""), Cell(x["rating"] or ""),
             site.doc_cell(r, x["document"])]) for x in reviews]))
    labels = {x["review"]: x["label"] for x in reviews}
    for review, members in peers.items():
        section.tables.append(Table(f"Peer team: {labels.get(review) or review}",
                                    ["person", "job title", "employer", "peer-team role", "document"], [
            Row([site.cell(r, m["person"], path=_person_path(site, m["person"])), Cell(m["role"] or ""),
                 Cell(m["organisation"] or ""), Cell(m["peerRole"] or ""), site.doc_cell(r, m["document"])])
            for m in members]))


def _person_path(site: Site, name: str) -> str | None:
    """The page of the (first) person with this name."""
    if site.person_by_name is None:
        site.person_by_name = {}
        for iri, person in site.people.items():
            site.person_by_name.setdefault(person, page_path(iri, site.base))
    return site.person_by_name.get(name)


def _recommendations_section(site: Site, page: Page, iri: str) -> None:
    r = page.root
    findings = {(f["review"], f["number"]): f for f in _for_council(site, "recommendation-progress", iri)}
    by_review = defaultdict(list)
    for x in _for_council(site, "recommendations", iri):
        by_review[x["review"]].append(x)
    section = site.section(page, "recommendations", "Recommendations and the peers' findings",
                           ["recommendations", "recommendation-progress"])
    for review, recs in by_review.items():
        rows = []
        for x in sorted(recs, key=lambda x: int(x["number"])):
            f = findings.get((review, x["number"]), {})
            rows.append(Row([Cell(x["number"], css="num"), Cell(x["title"]),
                             site.cell(r, x["theme"] or "", path=theme_path(x["theme"]) if x["theme"] else None),
                             Cell(f.get("finding") or ""), Cell(f.get("councilRating") or ""),
                             Cell(_cut(f.get("evidence")), css="quote"), site.doc_cell(r, x["document"])]))
        section.tables.append(Table(f"Review {review}", ["no.", "recommendation", "theme", "peers' finding",
                                                          "council's rating", "evidence", "document"], rows))
    if not by_review:
        section.tables.append(Table("", ["recommendation"], [], "No recommendation in the graph."))


def _cqc_section(site: Site, page: Page, iri: str) -> None:
    r = page.root
    ratings = _for_council(site, "cqc-ratings", iri)
    scores = _for_council(site, "cqc-scores", iri)
    section = site.section(page, "cqc", "CQC assessment", ["cqc-ratings", "cqc-scores"])
    section.tables.append(Table("Overall rating", ["rating", "published", "document"], [
        Row([Cell(x["rating"]), Cell(x["published"] or ""), site.doc_cell(r, x["document"])]) for x in ratings],
        "No CQC assessment in the graph."))
    if scores:
        section.charts.append(charts.bar_chart(
            "CQC quality statement scores (1 to 4)",
            [(x["statement"], float(x["score"]), f"score-{x['score']}") for x in scores], 4))
    section.tables.append(Table("Quality statement scores", ["statement", "theme", "score", "wording", "document"], [
        Row([Cell(x["statement"]), Cell(x["theme"] or ""), Cell(x["score"], css="num"), Cell(x["wording"] or ""),
             site.doc_cell(r, x["document"])]) for x in scores], "No quality statement scores."))


def _metrics_section(site: Site, page: Page, iri: str) -> None:
    r = page.root
    metrics = _for_council(site, "metrics", iri)
    section = site.section(page, "metrics", "Metrics and comparators", ["metrics"])
    compared = [(x, _number(x["value"]), _number(x["comparatorValue"])) for x in metrics
                if (x["comparator"] or "").lower() == ENGLAND.lower()]
    pairs = [(f"{x['indicator']} ({x['period']})" if x["period"] else x["indicator"], v, c)
             for x, v, c in compared if v is not None and c is not None]
    for unit in sorted({x["unit"] or "" for x, _, _ in compared}):
        subset = [p for p, (x, _, _) in zip(pairs, compared) if (x["unit"] or "") == unit]
        if subset:
            suffix = "%" if unit == "percent" else ""
            section.charts.append(charts.paired_bar_chart(
                f"Indicators against the England average ({unit or 'no unit'})", subset, suffix, ("this council", ENGLAND)))
    section.tables.append(Table("All metrics", ["indicator", "period", "value", "unit", "comparator", "comparator value",
                                                "document", "evidence"], [
        Row([Cell(x["indicator"]), Cell(x["period"] or ""), Cell(x["value"], css="num"), Cell(x["unit"] or ""),
             Cell(x["comparator"] or ""), Cell(x["comparatorValue"] or "", css="num"), site.doc_cell(r, x["document"]),
             Cell(_cut(x["evidence"], 240), css="quote")]) for x in metrics], "No metrics."))


def _timeline_section(site: Site, page: Page, iri: str) -> None:
    r = page.root
    events = _for_council(site, "council-timeline", iri)
    section = site.section(page, "timeline", "Timeline", ["council-timeline"])
    items = [charts.TimelineEvent(x["date"], x["event"], x["kind"], (site.href(r, site.doc_paths.get(x["document"])) or [None])[0])
             for x in events]
    if items:
        section.charts.append(charts.timeline("Timeline of reviews, publications and events", items))
    section.tables.append(Table("", ["no.", "date", "event", "kind", "document", "evidence"], [
        Row([Cell(str(i)), Cell(x["date"]), Cell(x["event"]), Cell(x["kind"]), site.doc_cell(r, x["document"]),
             Cell(_cut(x["evidence"], 240), css="quote")]) for i, x in enumerate(events, start=1)], "No dated events."))


# -- people, organisations, documents -------------------------------------------------------------
def person_page(site: Site, iri: str) -> Page:
    name = site.people[iri]
    page = site.new_page("person", page_path(iri, site.base), name)
    r = page.root
    page.subtitle = [iri]
    page.jsonld = site.jsonld_for(iri)
    rows = site.rows_by("person-reviews", "personIri").get(iri, [])
    rows.sort(key=lambda x: (x["date"] or "", x["council"]))
    site.section(page, "roles", "Reviews and roles over time", ["person-reviews"], tables=[Table(
        "", ["date", "council", "capacity", "job title", "peer-team role", "employer", "review", "document", "evidence"], [
            Row([Cell(x["date"] or ""), site.cell(r, x["council"], x["councilIri"]), Cell(x["capacity"]),
                 Cell(x["role"] or ""), Cell(x["peerRole"] or ""),
                 site.cell(r, x["organisation"] or "", x["organisationIri"]), Cell(x["reviewLabel"] or ""),
                 site.doc_cell(r, x["document"]), Cell(_cut(x["evidence"], 240), css="quote")]) for x in rows])])
    return page


def organisation_page(site: Site, iri: str) -> Page:
    name = site.organisations[iri]
    page = site.new_page("organisation", page_path(iri, site.base), name)
    r = page.root
    page.subtitle = [iri]
    page.jsonld = site.jsonld_for(iri)
    rows = site.rows_by("organisation-links", "organisationIri").get(iri, [])
    site.section(page, "mentions", "In documents", ["organisation-links"], tables=[Table(
        "", ["how", "as written", "person", "document about", "document", "evidence"], [
            Row([Cell(x["link"]), Cell(x["asWritten"] or ""), site.cell(r, x["person"] or "", x["personIri"]),
                 site.cell(r, x["council"] or "", x["councilIri"]), site.doc_cell(r, x["document"]),
                 Cell(_cut(x["evidence"], 240), css="quote")]) for x in rows])])
    return page


def document_page(site: Site, iri: str) -> Page:
    doc = site.documents[iri]
    page = site.new_page("document", page_path(iri, site.base), doc["title"] or doc["document"])
    r = page.root
    page.subtitle = [doc["document"], iri]
    page.jsonld = site.jsonld_for(iri)
    site.section(page, "about", "About this document", ["documents"], tables=[Table("", ["property", "value"], [
        Row([Cell("file"), Cell(doc["document"])]), Row([Cell("kind"), Cell(doc["kind"])]),
        Row([Cell("council"), site.cell(r, doc["council"] or "", site.council_by_name.get(doc["council"]))]),
        Row([Cell("title"), Cell(doc["title"] or "")]), Row([Cell("date"), Cell(doc["date"] or "")])])])
    facts = site.rows_by("document-facts", "documentIri").get(iri, [])
    text = site.source_text(doc["document"])
    if text is not None:
        page.segments = highlight(text, facts)
    anchors = {s.id for s in page.segments}
    rows = []
    for x in facts:
        anchor = f"o{x['start']}"
        quote = Cell(_cut(x["quote"]), [f"#{anchor}"] if anchor in anchors else [], "quote")
        rows.append(Row([Cell(_local(x["type"])), site.cell(r, _cut(x["label"], 160), x["fact"]), Cell(_cut(x["value"], 80)),
                         quote, Cell(f"{x['start']}–{x['end']}"), Cell(x["line"] or ""),
                         Cell("primary" if x["primary"] == "true" else "more")]))
    site.section(page, "facts", f"Facts extracted ({len({x['fact'] for x in facts})})", ["document-facts"],
                 intro=["Every fact with its quoted evidence; the quote links to the passage, highlighted in the source text below."],
                 tables=[Table("", ["kind", "fact", "value", "quote", "offsets", "line", "evidence"], rows)])
    page.extra["source_missing"] = [] if text is not None else [f"The source file {doc['document']} is not at hand."]
    return page


def highlight(text: str, facts: list[dict]) -> list[Segment]:
    """Cut the source text at every evidence boundary; a piece inside any quote is marked."""
    spans = []
    for x in facts:
        start, end = int(x["start"]), int(x["end"])
        if 0 <= start < end <= len(text):
            spans.append((start, end, x["label"]))
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    covering = defaultdict(set)
    for start, end, label in spans:
        short = " ".join((label or "").split())[:80]
        for a in cuts[bisect_left(cuts, start):bisect_left(cuts, end)]:  # the cuts inside [start, end)
            covering[a].add(short)
    segments = []
    for a, b in zip(cuts, cuts[1:]):
        labels = sorted(covering.get(a, ()))
        segments.append(Segment(f"o{a}", text[a:b], "ev" if labels else "", "; ".join(labels)))
    return segments


# -- concepts and themes --------------------------------------------------------------------------
def concept_page(site: Site, scheme: str, notation: str) -> Page:
    namespace, query, column = (RISK_NS, "risks", "risk") if scheme == "risk" else (INTERVENTION_NS, "interventions", "intervention")
    iri = namespace + notation
    term = (site.rows_by("ontology-terms", "term").get(iri) or [{}])[0]
    labels = site.risks if scheme == "risk" else site.interventions
    page = site.new_page(scheme, f"{scheme}/{notation}.html", labels.get(notation) or notation)
    r = page.root
    page.subtitle = [term.get("comment") or "No definition in the ontology.", iri]
    data = {"@id": iri, "@type": "http://www.w3.org/2004/02/skos/core#Concept",
            "http://www.w3.org/2004/02/skos/core#notation": notation,
            "http://www.w3.org/2004/02/skos/core#prefLabel": page.title}
    if term.get("comment"):
        data["http://www.w3.org/2004/02/skos/core#definition"] = term["comment"]
    page.jsonld = jsonld_markup(data)
    rows = [x for x in site.rows(query) if x[column] == notation]
    broader = term.get("broader")
    site.section(page, "definition", "Definition", ["ontology-terms"], tables=[Table("", ["property", "value"], [
        Row([Cell("notation"), Cell(notation)]), Row([Cell("definition"), Cell(term.get("comment") or "")]),
        Row([Cell("broader"), site.cell(r, _local(broader) if broader else "", broader)]),
        Row([Cell("resources using it"), Cell(term.get("uses") or "0")])])])
    site.section(page, "councils", "Councils and evidence", [query], tables=[Table(
        "", ["council", "document", "date", "evidence"], [
            Row([site.cell(r, x["council"], x["councilIri"]), site.doc_cell(r, x["document"]), Cell(x.get("date") or ""),
                 Cell(_cut(x["evidence"]), css="quote")]) for x in rows], "No council has this in the graph.")])
    return page


def theme_page(site: Site, label: str) -> Page:
    page = site.new_page("theme", theme_path(label), f"Theme: {label}")
    r = page.root
    rows = site.rows_by("recommendations", "theme").get(label, [])
    _page_jsonld(page, "WebPage", sorted({x["councilIri"] for x in rows}))
    site.section(page, "recommendations", "Recommendations under this theme", ["recommendations"], tables=[Table(
        "", ["council", "no.", "recommendation", "document"], [
            Row([site.cell(r, x["council"], x["councilIri"]), Cell(x["number"], css="num"), Cell(x["title"]),
                 site.doc_cell(r, x["document"])]) for x in rows])])
    return page


# -- relationships --------------------------------------------------------------------------------
def relationships_page(site: Site) -> Page:
    page = site.new_page("relationships", "relationships.html", "Relationships between councils, people and risks")
    r = page.root
    nodes: dict[str, charts.Node] = {}
    edges: dict[tuple, charts.Edge] = {}
    evidence: dict[tuple, set] = defaultdict(set)

    def node(iri, label, group):
        nodes.setdefault(iri, charts.Node(iri, label, group, (site.href(r, page_path(iri, site.base)) or [None])[0]))

    for x in site.rows("person-reviews"):
        node(x["personIri"], x["person"], "person")
        node(x["councilIri"], x["council"], "council")
        relation = "peer" if x["capacity"] == "peer" else "adviser"
        key = (x["personIri"], x["councilIri"], relation)
        edges[key] = charts.Edge(*key)
        evidence[key].add(x["document"])
    for x in site.rows("risks"):
        node(x["councilIri"], x["council"], "council")
        risk = RISK_NS + x["risk"]
        node(risk, x["label"], "risk")
        key = (x["councilIri"], risk, "risk")
        edges[key] = charts.Edge(*key)
        evidence[key].add(x["document"])
    for x in site.rows("council-relationships"):
        if x["relation"] == "shared service" and x["ownDocument"]:
            node(x["council1Iri"], x["council1"], "council")
            node(x["council2Iri"], x["council2"], "council")
            key = (x["council1Iri"], x["council2Iri"], "service")
            edges[key] = charts.Edge(*key)
            evidence[key].add(x["evidenceDocument"])
    ordered = sorted(nodes.values(), key=lambda n: n.label)
    chart = charts.relationship_graph("Councils, the people who reviewed or advised them, and their risks", ordered,
                                      list(edges.values()))
    names = {n.key: n for n in ordered}
    words = {"peer": "served on the peer team of", "adviser": "named as adviser or appointee for",
             "risk": "has evidenced risk", "service": "names in its document (shared service)"}
    rows = []
    for key, edge in sorted(edges.items(), key=lambda kv: (names[kv[0][0]].label, kv[0][2], names[kv[0][1]].label)):
        docs = sorted(d for d in evidence[key] if d)
        rows.append(Row([site.cell(r, names[edge.source].label, edge.source), Cell(words[edge.relation]),
                         site.cell(r, names[edge.target].label, edge.target),
                         *[site.doc_cell(r, d) for d in docs[:1]], *([Cell("")] if not docs else []),
                         Cell(", ".join(docs[1:]))]))
    site.section(page, "graph", "Graph", list(PAGE_QUERIES["relationships"]), charts=[chart],
                 intro=["People on the left, councils in the middle, risk types on the right. "
                        "The table below holds the same links, with their evidence."])
    site.section(page, "links", "The same links as a table", list(PAGE_QUERIES["relationships"]), tables=[Table(
        "", ["from", "relation", "to", "evidence", "more evidence"], rows)])
    # one row per council and reason, naming the related councils: a row per pair would be
    # 60,000 rows at 2,500 documents; each council's page gives every link with its evidence
    related: dict[tuple, set] = defaultdict(set)
    for x in site.rows("council-relationships"):
        related[(x["council1"], x["council1Iri"], x["relation"])].add(x["council2"])
    order = lambda key: (key[0], RELATION_ORDER.index(key[2]) if key[2] in RELATION_ORDER else 9, key[2])  # noqa: E731
    site.section(page, "related-councils", "Related councils and why", ["council-relationships"],
                 intro=["Each council's related councils, by reason; the council's page gives each link with its evidence."],
                 tables=[Table("", ["council", "reason", "related councils"], [
                     Row([site.cell(r, name, iri),
                          Cell(relation, css="relation"), Cell("; ".join(sorted(others)))])
                     for (name, iri, relation), others in sorted(related.items(), key=lambda kv: order(kv[0]))])])
    _page_jsonld(page, "WebPage", sorted(k for k, n in nodes.items() if n.group == "council"))
    return page


# -- ontology and the query gallery ---------------------------------------------------------------
KIND_TITLES = {"class": "Classes", "object property": "Object properties", "datatype property": "Datatype properties",
               "annotation property": "Annotation properties", "concept scheme": "Concept schemes",
               "concept": "SKOS concepts"}


def ontology_page(site: Site) -> Page:
    page = site.new_page("ontology", "ontology/index.html", "The councilkg ontology")
    r = page.root
    page.subtitle = [f"Generated from the labels and comments in the ontology graph {ONTOLOGY_GRAPH}."]
    terms = site.rows("ontology-terms")
    by_kind = defaultdict(list)
    for t in terms:
        by_kind[(t["kind"] or "9 other").split(" ", 1)[1]].append(t)
    for kind, title in KIND_TITLES.items():
        rows = []
        for t in by_kind.get(kind, []):
            path = page_path(t["term"], site.base)
            own = path and path.startswith("ontology/")
            rows.append(Row([Cell(_local(t["term"]), [] if own else site.href(r, path)), Cell(t["label"] or ""),
                             Cell(t["comment"] or ""), Cell(_local(t["scheme"]) if t["scheme"] else ""),
                             Cell(t["uses"], css="num")], [_local(t["term"])] if own else []))
        site.section(page, kind.replace(" ", "-"), title, ["ontology-terms"], tables=[Table(
            "", ["term", "label", "definition", "scheme", "resources using it"], rows, "None defined yet.")])
    _page_jsonld(page, "WebPage", [t["term"] for t in terms if t["kind"] and t["kind"].endswith("concept scheme")])
    return page


def queries_page(site: Site) -> Page:
    page = site.new_page("queries", "queries.html", "Saved queries")
    r = page.root
    rows = [Row([Cell(q.name, [r + f"query/{q.name}.html"]), Cell(q.title), Cell(q.description),
                 Cell(", ".join(p.name + ("" if p.required else "?") for p in q.params))])
            for q in sparql.saved_queries().values()]
    site.section(page, "gallery", "Query gallery", [], tables=[Table("", ["name", "title", "description", "parameters"], rows)],
                 intro=["Every page of this site is drawn from these queries. Run any of them with "
                        "`councilkg query NAME`, or at the /sparql endpoint of `councilkg serve`."])
    _page_jsonld(page, "CollectionPage")
    return page


def query_page(site: Site, name: str) -> Page:
    query = sparql.saved_queries()[name]
    page = site.new_page("query", f"query/{name}.html", query.title or name)
    r = page.root
    page.subtitle = [query.description]
    page.sparql_text = [query.text]
    params = _example_params(site, query)
    site.section(page, "parameters", "Parameters", [], tables=[Table("", ["name", "type", "required", "default", "help"], [
        Row([Cell(p.name), Cell(p.type), Cell("required" if p.required else "optional"), Cell(p.default or ""), Cell(p.help)])
        for p in query.params], "No parameters.")])
    try:
        result = site.result(name, **params)
    except CouncilKGError as e:  # a query needing a parameter the site cannot choose: say so on its page
        site.section(page, "results", "Current results", [name], intro=[f"Not run for this page: {e}"])
    else:
        values = result.values()
        rows = [Row([_result_cell(site, r, row.get(c)) for c in result.variables]) for row in values[:RESULT_ROWS]]
        intro = [f"{len(values)} rows" + (f", the first {RESULT_ROWS} shown" if len(values) > RESULT_ROWS else "")
                 + (f", with {', '.join(f'{k}={v}' for k, v in params.items())}" if params else "") + "."]
        site.section(page, "results", "Current results", [name], intro=intro,
                     tables=[Table("", result.variables, rows, "No rows.")])
    _page_jsonld(page, "SoftwareSourceCode", **{SCHEMA + "programmingLanguage": "SPARQL", SCHEMA + "text": query.text})
    return page


def _example_params(site: Site, query: sparql.SavedQuery) -> dict[str, str]:
    """Example values for the gallery: one council for a required council (and for a resource, not
    every triple of the graph); one recommendation for similar recommendations, which no other page
    runs whole (at 2,500 documents, every similar pair of recommendations is 126,000 rows); one
    document for the facts of a document (each document's page shows its own, and the document
    pages may be rendered by another process)."""
    if not site.documents:
        return {}
    first = sorted(site.documents.values(), key=lambda d: d["document"])[0]
    council = site.council_by_name.get(first["council"]) or ""
    whole = site.has_result(query.name)
    params = {}
    for p in query.params:
        if p.required and p.type == "council" or p.name == "resource":
            params[p.name] = council
        elif p.name == "document":
            params[p.name] = first["iri"]
        elif not whole and not params and p.name == "recommendation":
            recommendations = sorted(r["recommendation"] for r in site.rows("recommendations"))
            if recommendations:
                params[p.name] = recommendations[0]
    return params


def _result_cell(site: Site, root: str, value: str | None) -> Cell:
    if value is None:
        return Cell("")
    if value in site.doc_paths:
        return site.doc_cell(root, value)
    if value.startswith(("http://", "https://")):
        return site.cell(root, value, value)
    return Cell(_cut(value, 300))
