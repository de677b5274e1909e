"""Materialised inferences: subclass types, inverses and the skos:broader closure, in a graph rebuilt each run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import derived, inference, ingest, sparql
from councilkg.graph import KnowledgeGraph
from councilkg.namespaces import INFERRED_GRAPH
from councilkg.settings import Settings
from councilkg.store import EmbeddedStore
from tests.test_validation import MINTER, extraction, load, quads_of

ROOT = Path(__file__).resolve().parent.parent
INFERRED = ox.NamedNode(INFERRED_GRAPH)
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="the HermiT reasoner needs Java")


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "store")
    ingest.Loading(s, MINTER, 10**7).ensure_ontology()
    load(s, quads_of(extraction("London Borough of Hackney", ("asc-overspend", "cyber-attack")), "hackney-review"),
         "hackney-review")
    load(s, quads_of(extraction("London Borough of Havering", ("budget-gap", "workforce")), "havering-review"),
         "havering-review")
    yield s
    s.close()


def inferred(store) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(INFERRED)}


def risks(store, category: str) -> set[tuple[str, str]]:
    rows = sparql.run(store, "risks-by-category", {"category": category}).values()
    assert all(row["category"] == category for row in rows)
    return {(row["council"], row["risk"]) for row in rows}


def test_financial_category_finds_narrower_risks(store):
    assert risks(store, "financial") == set()  # the closure is what makes the query work
    inference.materialise(store, check=False)
    assert risks(store, "financial") == {
        ("London Borough of Hackney", "asc-overspend"),
        ("London Borough of Havering", "budget-gap"),
    }
    assert risks(store, "operational") == {
        ("London Borough of Hackney", "cyber-attack"),
        ("London Borough of Havering", "workforce"),
    }
    assert risks(store, "budget-gap") == {("London Borough of Havering", "budget-gap")}


def test_rows_name_the_document(store):
    inference.materialise(store, check=False)
    rows = sparql.run(store, "risks-by-category", {"category": "financial"}).values()
    assert {row["document"] for row in rows} == {"hackney-review.txt", "havering-review.txt"}
    assert {row["label"] for row in rows} == {"Adult social care overspend", "Budget gap"}


def test_inferred_graph_is_replaced_not_accumulated(store):
    first = inference.materialise(store, check=False)
    before = inferred(store)
    assert first == len(before) > 0
    # A stray triple in the inferred graph does not survive the next run.
    stray = ox.Quad(ox.NamedNode("https://example.org/stray"), RDF_TYPE, ox.NamedNode("https://example.org/C"), INFERRED)
    store.update(f"INSERT DATA {{ GRAPH {INFERRED} {{ {stray.subject} {stray.predicate} {stray.object} }} }}")
    second = inference.materialise(store, check=False)
    assert second == first
    assert inferred(store) == before


def test_dropped_document_leaves_no_inference_behind(store):
    inference.materialise(store, check=False)
    review = ox.NamedNode(
        "https://w3id.org/councilkg/id/council/london-borough-of-havering/progress-review/2025-10-07")
    activity = ox.NamedNode("http://www.w3.org/ns/prov#Activity")
    assert ox.Triple(review, RDF_TYPE, activity) in inferred(store)
    store.drop_graph(MINTER.graph("havering-review"))
    inference.materialise(store, check=False)
    assert ox.Triple(review, RDF_TYPE, activity) not in inferred(store)
    assert risks(store, "financial") == {("London Borough of Hackney", "asc-overspend")}


def test_subclass_types_and_inverses(store):
    inference.materialise(store, check=False)
    triples = inferred(store)
    review = ox.NamedNode(
        "https://w3id.org/councilkg/id/council/london-borough-of-hackney/progress-review/2025-10-07")
    assert ox.Triple(review, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/prov#Activity")) in triples
    original = ox.NamedNode("https://w3id.org/councilkg/id/council/london-borough-of-hackney/peer-challenge/2024-01")
    assert ox.Triple(original, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/prov#Activity")) in triples
    skos = "http://www.w3.org/2004/02/skos/core#"
    financial = ox.NamedNode("https://w3id.org/councilkg/risk/financial")
    overspend = ox.NamedNode("https://w3id.org/councilkg/risk/asc-overspend")
    assert ox.Triple(financial, ox.NamedNode(skos + "narrower"), overspend) in triples
    assert ox.Triple(financial, ox.NamedNode(skos + "narrowerTransitive"), overspend) in triples
    assert ox.Triple(overspend, ox.NamedNode(skos + "broaderTransitive"), financial) in triples


def test_nothing_inferred_is_already_asserted(store):
    inference.materialise(store, check=False)
    rows = store.query(
        "ASK { GRAPH ?i { ?s ?p ?o } GRAPH ?g { ?s ?p ?o } FILTER(?g != ?i) }",
        {ox.Variable("i"): INFERRED},
    )
    assert not bool(rows)


@needs_java
def test_materialise_checks_the_ontology_first(store):
    assert inference.materialise(store) > 0


@pytest.mark.slow
def test_corpus_financial_risks(tmp_path):
    """On the sample corpus: the Hackney ASC overspend and the Havering budget gap are financial risks."""
    graph = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False))
    try:
        report = graph.load([ROOT / "data" / "sources"])
        assert not report.rejected, [f.reason for f in report.rejected]
        inference.materialise(graph.store, check=False)
        found = risks(graph.store, "financial")
    finally:
        graph.close()
    assert ("London Borough of Hackney", "asc-overspend") in found
    assert ("London Borough of Havering", "budget-gap") in found


# -- kept up to date graph by graph -------------------------------------------------------------------

PROV_ACTIVITY = ox.NamedNode("http://www.w3.org/ns/prov#Activity")
PROGRESS_REVIEW = ox.NamedNode("https://w3id.org/councilkg/ontology#ProgressReview")
ORG_MEMBER = ox.NamedNode("http://www.w3.org/ns/org#member")
SKOS_BROADER = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")


def ex(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://example.org/{name}")


def put(store, name: str, *triples) -> ox.NamedNode:
    graph = ex(f"graph/{name}")
    store.replace_graph(graph, [ox.Quad(s, p, o, graph) for s, p, o in triples])
    return graph


def matches_the_rules(store) -> bool:
    """The inferred graph holds what the SPARQL rules conclude now, and its digest."""
    held = {t for t in inferred(store) if t.predicate.value != "https://w3id.org/councilkg/ontology#sha256"}
    return held == set(inference.inferred_triples(store)) and len(inferred(store)) == len(held) + 1


def test_materialised_graph_by_graph_equals_the_rules_from_scratch(store):
    steps = [
        # a new subject of a subclass: its superclasses are inferred
        lambda: [put(store, "a", (ex("r1"), RDF_TYPE, PROGRESS_REVIEW))],
        # a graph asserting a superclass: the inference it duplicates goes ...
        lambda: [put(store, "b", (ex("r1"), RDF_TYPE, PROV_ACTIVITY))],
        # ... and comes back when that graph is dropped
        lambda: [store.drop_graph(ex("graph/b")) or ex("graph/b")],
        # inverses and the broader closure, within a document graph
        lambda: [put(store, "c", (ex("m1"), ORG_MEMBER, ex("p1")), (ex("x"), SKOS_BROADER, ex("y")),
                     (ex("y"), SKOS_BROADER, ex("z")))],
        lambda: [put(store, "c", (ex("m1"), ORG_MEMBER, ex("p2")), (ex("x"), SKOS_BROADER, ex("z")))],
        # the same subject typed in two graphs: dropping one keeps what the other justifies
        lambda: [put(store, "d", (ex("r1"), RDF_TYPE, PROGRESS_REVIEW))],
        lambda: [store.drop_graph(ex("graph/a")) or ex("graph/a")],
        # a document replaced by another version of itself
        lambda: [load(store, quads_of(extraction("London Borough of Hackney", ("budget-gap",)), "hackney-review"),
                      "hackney-review") or MINTER.graph("hackney-review")],
        lambda: [store.drop_graph(MINTER.graph("havering-review")) or MINTER.graph("havering-review")],
    ]
    inference.materialise(store, check=False, changed=[])
    assert matches_the_rules(store)
    for i, step in enumerate(steps):
        changed = step()
        if i == 4:
            derived._memories.clear()  # a new process: the memory is read from its file
        inference.materialise(store, check=False, changed=changed)
        assert matches_the_rules(store), i
    assert ox.Triple(ex("r1"), RDF_TYPE, PROV_ACTIVITY) in inferred(store)
    assert ox.Triple(ex("p2"), ox.NamedNode("http://www.w3.org/ns/org#hasMembership"), ex("m1")) in inferred(store)


def test_changed_graphs_are_the_only_ones_read(store, monkeypatch):
    inference.materialise(store, check=False, changed=[])
    reads = []
    read = inference.read_inputs
    monkeypatch.setattr(inference, "read_inputs", lambda s, schema, graphs=None: reads.append(graphs)
                        or read(s, schema, graphs))
    graph = put(store, "a", (ex("r1"), RDF_TYPE, PROGRESS_REVIEW))
    inference.materialise(store, check=False, changed=[graph])
    assert reads == [{graph.value}]
    assert matches_the_rules(store)


def test_a_graph_rewritten_elsewhere_is_materialised_again(store):
    inference.materialise(store, check=False, changed=[])
    before = inferred(store)
    # Another program rewrites the inferred graph (no digest) with a stray triple.
    stray = ox.Quad(ex("stray"), RDF_TYPE, ex("C"), INFERRED)
    store.replace_graph(INFERRED, [stray])
    inference.materialise(store, check=False, changed=[])
    assert inferred(store) == before


def test_prov_entity_is_implied_not_materialised(store):
    """Every fact is a prov:Entity through the ontology; the inferred graph does not repeat it for each."""
    inference.materialise(store, check=False)
    entity = ox.NamedNode("http://www.w3.org/ns/prov#Entity")
    assert not [t for t in inferred(store) if t.predicate == RDF_TYPE and t.object == entity]
    assert not [t for t in inference.inferred_triples(store) if t.predicate == RDF_TYPE and t.object == entity]
    # ... while the ontology still says it, for a reasoner or a query that follows rdfs:subClassOf
    assert bool(store.query(
        "ASK { ?f a <https://w3id.org/councilkg/ontology#RiskMention> ; "
        "a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <http://www.w3.org/ns/prov#Entity> }"))
