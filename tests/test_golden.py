"""Golden graphs: each sample document's named graph, compared for isomorphism with tests/golden/<stem>.ttl.

Run ``pytest tests/test_golden.py --update-golden`` after a deliberate change to a
loader or the RDF mapping, and review the diff of tests/golden/ before committing.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from councilkg import ingest
from councilkg.iri import Minter
from councilkg.rdf import SourceInfo, document_quads
from tests.conftest import SOURCES

GOLDEN = SOURCES.parent.parent / "tests" / "golden"
SAMPLES = sorted(p for p in SOURCES.iterdir() if p.is_file())


def graph_of(path) -> rdflib.Graph:
    document, data = ingest.read_document(path, 10**8)
    _, extraction, _ = ingest.extract(document)
    source = SourceInfo(name=path.name, stem=path.stem, sha256=ingest.sha256(data), loaded_at=None)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in document_quads(extraction, source, Minter())]
    graph = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    # through Turtle once, as the golden file went, so numbers have the same lexical form (18 -> 18.0)
    return rdflib.Graph().parse(data=graph.serialize(format="turtle"), format="turtle")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_document_graph_matches_golden_file(path, update_golden):
    actual = graph_of(path)
    golden = GOLDEN / f"{path.stem}.ttl"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        actual.bind("ckg", "https://w3id.org/councilkg/ontology#")
        actual.bind("id", "https://w3id.org/councilkg/id/")
        golden.write_text(actual.serialize(format="turtle"), encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}; run pytest --update-golden and review it"
    expected = rdflib.Graph().parse(golden, format="turtle")
    iso_actual, iso_expected = to_isomorphic(actual), to_isomorphic(expected)
    if iso_actual != iso_expected:
        _, only_actual, only_expected = graph_diff(iso_actual, iso_expected)
        new = sorted(only_actual.serialize(format="nt").splitlines())[:40]
        old = sorted(only_expected.serialize(format="nt").splitlines())[:40]
        pytest.fail(
            f"{path.name}: graph differs from {golden.name}\n"
            f"only in the loader's output ({len(only_actual)}):\n  " + "\n  ".join(new) +
            f"\nonly in the golden file ({len(only_expected)}):\n  " + "\n  ".join(old)
        )
