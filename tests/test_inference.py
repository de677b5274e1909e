"""Materialised inferences: subclass types, inverses and the skos:broader closure, in a graph rebuilt each run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import inference, ingest, sparql
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
