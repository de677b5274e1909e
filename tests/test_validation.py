"""SHACL validation: a hand-built graph conforms; broken copies fail naming the node and the rule."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from councilkg import ingest, validation
from councilkg.errors import ValidationFailed
from councilkg.iri import Minter
from councilkg.model import (
    ConceptMention, CouncilMention, Extraction, FinancialFact, Finding, PartialDate, Peer, QualityStatement,
    Recommendation, Span,
)
from councilkg.namespaces import CKG, RDF
from councilkg.rdf import SourceInfo, document_quads
from councilkg.store import EmbeddedStore

MINTER = Minter()


def span(quote: str, start: int, line: int = 1) -> Span:
    return Span(quote, start, start + len(quote), line)


def extraction(council: str = "London Borough of Hackney", risks=("asc-overspend", "cyber-attack")) -> Extraction:
    """A small progress review, made by hand: the kind of thing a loader returns."""
    return Extraction(
        kind="progress-review",
        loader="hand-made",
        loader_version="1",
        council=CouncilMention(council, span(council, 0)),
        title=f"{council} progress review",
        title_evidence=span(f"{council} progress review", 0),
        date=PartialDate(2025, 10, 7),
        date_end=PartialDate(2025, 10, 8),
        date_evidence=span("7 - 8 October 2025", 40, 2),
        original_review_date=PartialDate(2024, 1),
        peers=[Peer("Ada Lovelace", span("Ada Lovelace, Chief Executive", 80, 4), role="Chief Executive",
                    organisation="Cornwall Council", peer_role="Lead Peer")],
        recommendations=[
            Recommendation(1, "Financial sustainability", span("1. Financial sustainability", 200, 10),
                           text="Put the budget on a sustainable footing.",
                           finding=Finding("good progress", span("The council has made good progress", 300, 12))),
            Recommendation(2, "Performance management", span("2. Performance management", 240, 11)),
        ],
        risks=[ConceptMention("risk", notation, span(notation, 400 + 20 * i, 20)) for i, notation in enumerate(risks)],
        interventions=[ConceptMention("intervention", "commissioners", span("commissioners were appointed", 500, 25),
                                      date=PartialDate(2024))],
        financial_facts=[FinancialFact("budget gap", Decimal("12500000"), "GBP", "£12.5m", span("£12.5m", 600, 30),
                                       period="2025/26")],
        quality_statements=[QualityStatement("Assessing needs", 2, span("Assessing needs: 2", 700, 35))],
    )


def quads_of(x: Extraction, stem: str) -> list[ox.Quad]:
    return document_quads(x, SourceInfo(f"{stem}.txt", stem, "ab" * 32), MINTER)


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "store")
    ingest.Loading(s, MINTER, 10**7).ensure_ontology()
    yield s
    s.close()


def load(store, quads: list[ox.Quad], stem: str = "hackney-review") -> None:
    store.replace_graph(MINTER.graph(stem), quads)


def test_hand_made_graph_conforms(store):
    load(store, quads_of(extraction(), "hackney-review"))
    report = validation.validate(store)
    assert report.conforms, report.text
    assert report.violations == []
    assert "conforms" in report.text
    assert validation.check(store).conforms


def test_recommendation_without_number_fails_naming_node_and_rule(store):
    quads = [q for q in quads_of(extraction(), "hackney-review") if q.predicate != ox.NamedNode(str(CKG.number))]
    load(store, quads)
    report = validation.validate(store)
    assert not report.conforms
    recommendation = "https://w3id.org/councilkg/id/council/london-borough-of-hackney/progress-review/2025-10-07/recommendation/1"
    lines = [line for line in report.text.splitlines() if recommendation in line]
    assert lines, report.text
    assert any("ckg:number" in line and "MinCount" in line for line in lines), report.text
    assert any("exactly one ckg:number" in line for line in lines)
    with pytest.raises(ValidationFailed) as caught:
        validation.check(store)
    assert recommendation in str(caught.value) and "MinCount" in caught.value.report


def _replace_object(quads, predicate, new_object):
    p = ox.NamedNode(str(predicate))
    return [ox.Quad(q.subject, q.predicate, new_object, q.graph_name) if q.predicate == p else q for q in quads]


INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
BROKEN = {
    "score out of range": (lambda qs: _replace_object(qs, CKG.score, ox.Literal("5", datatype=INTEGER)),
                           "ckg:score", "MaxInclusive"),
    "kind not in the contract": (lambda qs: _replace_object(qs, CKG.kind, ox.Literal("press-release")),
                                 "ckg:kind", "In"),
    "malformed GSS code": (lambda qs: _replace_object(qs, CKG.gss, ox.Literal("X123")), "ckg:gss", "Pattern"),
    "date as a plain string": (lambda qs: _replace_object(qs, CKG.startDate, ox.Literal("October 2025")),
                               "ckg:startDate", "Node"),
    "string number": (lambda qs: _replace_object(qs, CKG.number, ox.Literal("one")), "ckg:number", "Datatype"),
    "evidence without its quote": (lambda qs: [q for q in qs if q.predicate != ox.NamedNode(str(CKG.quote))],
                                   "ckg:quote", "MinCount"),
    "fact without evidence": (lambda qs: [q for q in qs if not (q.predicate == ox.NamedNode(str(CKG.evidence))
                                                                and "/risk/" in q.subject.value)],
                              "ckg:evidence", "MinCount"),
    "risk typed by an intervention": (lambda qs: _replace_object(
        qs, CKG.riskType, ox.NamedNode("https://w3id.org/councilkg/intervention/commissioners")),
        "skos:inScheme", "HasValue"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_graphs_fail(store, name):
    breaker, path, rule = BROKEN[name]
    load(store, breaker(quads_of(extraction(), "hackney-review")))
    report = validation.validate(store)
    assert not report.conforms
    assert any(v.path == path and v.component == f"sh:{rule}ConstraintComponent" for v in report.violations), report.text


def test_start_offset_must_precede_end(store):
    quads = quads_of(extraction(), "hackney-review")
    end = ox.NamedNode(str(CKG.endOffset))
    quads = [ox.Quad(q.subject, q.predicate, ox.Literal("0", datatype=INTEGER), q.graph_name)
             if q.predicate == end and q.subject.value.endswith("/evidence/200-227") else q for q in quads]
    load(store, quads)
    report = validation.validate(store)
    assert any(v.path == "ckg:startOffset" and "LessThan" in v.component for v in report.violations), report.text


def test_every_class_the_mapping_emits_has_a_shape():
    """Each ckg: class that rdf.py gives a resource is the target of a shape, or a subclass of one."""
    import rdflib

    shapes = validation.load_shapes()
    ontology = validation.load_ontology()
    targets = set(shapes.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#targetClass")))
    emitted = {rdflib.URIRef(q.object.value) for q in quads_of(extraction(), "x") if q.predicate == ox.NamedNode(str(RDF.type))}
    missing = {
        c for c in emitted
        if str(c).startswith(str(CKG._NS)) and not set(ontology.transitive_objects(c, rdflib.RDFS.subClassOf)) & targets
    }
    assert not missing, sorted(missing)


def test_validating_documents_quads_finds_the_broken_one():
    """What build does in its workers: each document's quads, with the ontology, then the reports merged."""
    reports = []
    councils = ["London Borough of Camden", "Leeds City Council", "Cornwall Council", "Kent County Council"]
    for n, council in enumerate(councils):
        quads = quads_of(extraction(council=council), f"review-{n}")
        if n == 3:
            quads = [q for q in quads if q.predicate != ox.NamedNode(str(CKG.number))]
        reports.append(validation.validate_quads(quads))
    assert validation.merge(reports[:3]).conforms
    report = validation.merge(reports)
    assert not report.conforms
    assert report.triples == sum(r.triples for r in reports)
    assert any("ckg:number" in v.line() and "MinCount" in v.line() for v in report.violations), report.text


def test_lifted_targets_report_what_the_shapes_as_written_report():
    """validation.lift_targets changes how fast pySHACL runs, not what it finds."""
    import rdflib
    from importlib.resources import files

    broken_predicates = {CKG.number, CKG.quote, CKG.startOffset, CKG.council}
    quads = quads_of(extraction(), "broken")
    quads = [q for i, q in enumerate(quads) if not (q.predicate.value in {str(p) for p in broken_predicates} and i % 2)]
    quads.append(ox.Quad(quads[0].subject, ox.NamedNode(str(CKG.endOffset)), ox.Literal("-3"), quads[0].graph_name))
    data = rdflib.Graph()
    for triple in validation.load_ontology():
        data.add(triple)
    for q in quads:
        data.add(tuple(validation._rdflib_term(t) for t in (q.subject, q.predicate, q.object)))
    as_written = rdflib.Graph().parse(data=files("councilkg.ontology").joinpath("shapes.ttl").read_bytes(),
                                      format="turtle")
    lifted = rdflib.Graph()
    for triple in as_written:
        lifted.add(triple)
    validation.lift_targets(lifted)
    assert len(set(lifted.subjects(rdflib.URIRef(validation.SH + "targetClass"), None))) > \
        len(set(as_written.subjects(rdflib.URIRef(validation.SH + "targetClass"), None)))
    expected = validation.validate_graph(data, shapes=as_written)
    found = validation.validate_graph(data, shapes=lifted)
    assert not expected.conforms and len(expected.violations) >= 4
    assert found.violations == expected.violations


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_quads_reports_what_the_whole_ontology_reports(name):
    """validate_quads keeps only the ontology triples the shapes can see (types, the class hierarchy, the
    properties the shapes name): a broken document gets the same report as with the whole ontology."""
    import rdflib

    breaker, path, rule = BROKEN[name]
    quads = breaker(quads_of(extraction(), "broken"))
    data = rdflib.Graph()
    for triple in validation.load_ontology():
        data.add(triple)
    for q in quads:
        data.add(tuple(validation._rdflib_term(t) for t in (q.subject, q.predicate, q.object)))
    expected = validation.validate_graph(data)
    found = validation.validate_quads(quads)
    assert len(validation._ontology_triples()) < len(validation.load_ontology())
    assert not expected.conforms
    assert found.violations == expected.violations
