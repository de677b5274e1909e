"""The OWL ontology: it parses, defines exactly the CKG namespace's terms, and HermiT finds it consistent."""

from __future__ import annotations

import shutil
from importlib.resources import files

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS

from councilkg import inference
from councilkg.errors import CouncilKGError, InconsistentOntology
from councilkg.namespaces import CKG, ONTOLOGY_IRI

NS = str(CKG._NS)
ONTOLOGY = rdflib.URIRef(ONTOLOGY_IRI)
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="the HermiT reasoner needs Java")


def _text(name: str) -> str:
    return files("councilkg.ontology").joinpath(name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    """The whole ontology: councilkg.ttl and its modules (taxonomy.ttl, themes.ttl ...)."""
    graph = rdflib.Graph()
    for name in inference.ontology_files():
        graph.parse(data=_text(name), format="turtle")
    return graph


def test_every_file_parses():
    assert "councilkg.ttl" in inference.ontology_files()
    for name in [*inference.ontology_files(), "shapes.ttl"]:
        assert len(rdflib.Graph().parse(data=_text(name), format="turtle")) > 0, name


def test_no_term_is_defined_in_two_files():
    seen: dict[str, str] = {}
    for name in inference.ontology_files():
        for term in _defined(rdflib.Graph().parse(data=_text(name), format="turtle")):
            assert term not in seen, f"ckg:{term} is defined in both {seen[term]} and {name}"
            seen[term] = name


def _ckg_terms_in(graph: rdflib.Graph) -> set[str]:
    terms = set()
    for triple in graph:
        for node in triple:
            if isinstance(node, rdflib.URIRef) and str(node).startswith(NS):
                terms.add(str(node)[len(NS):])
    return terms


def _defined(graph: rdflib.Graph) -> set[str]:
    return {str(s)[len(NS):] for s in graph.subjects(RDFS.isDefinedBy, ONTOLOGY) if str(s).startswith(NS)}


def test_ontology_header(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, RDFS.comment)


def test_defines_exactly_the_namespace_terms(onto):
    namespace = set(CKG.__annotations__)
    defined = _defined(onto)
    assert defined == namespace, {
        "in CKG but not defined": sorted(namespace - defined),
        "defined but not in CKG": sorted(defined - namespace),
    }
    # Nor does the ontology use a ckg: term it does not define.
    assert _ckg_terms_in(onto) <= namespace


def test_every_term_has_label_comment_and_kind(onto):
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}
    for name in CKG.__annotations__:
        node = rdflib.URIRef(NS + name)
        assert onto.value(node, RDFS.label), f"ckg:{name} has no rdfs:label"
        comment = onto.value(node, RDFS.comment)
        assert comment and len(str(comment)) >= 20, f"ckg:{name} has no useful rdfs:comment"
        assert set(onto.objects(node, RDF.type)) & kinds, f"ckg:{name} is not declared a class, property or individual"


def test_properties_have_domain_and_range(onto):
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for prop in onto.subjects(RDF.type, kind):
            if not str(prop).startswith(NS):
                continue
            assert onto.value(prop, RDFS.domain) is not None, f"{prop} has no rdfs:domain"
            assert onto.value(prop, RDFS.range) is not None, f"{prop} has no rdfs:range"


@pytest.mark.parametrize("name", ["taxonomy.ttl", "shapes.ttl"])
def test_taxonomy_and_shapes_use_only_defined_terms(onto, name):
    used = _ckg_terms_in(rdflib.Graph().parse(data=_text(name), format="turtle"))
    undefined = used - _defined(onto)
    assert not undefined, f"{name} uses ckg: terms the ontology does not define: {sorted(undefined)}"


@pytest.mark.parametrize(
    "sub, sup",
    [
        (CKG.Council, rdflib.URIRef("http://www.w3.org/ns/org#Organization")),
        (CKG.PeerTeam, rdflib.URIRef("http://www.w3.org/ns/org#Organization")),
        (CKG.PeerMembership, rdflib.URIRef("http://www.w3.org/ns/org#Membership")),
        (CKG.Appointment, rdflib.URIRef("http://www.w3.org/ns/org#Membership")),
        (CKG.Document, rdflib.URIRef("http://xmlns.com/foaf/0.1/Document")),
        (CKG.Document, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")),
        (CKG.ProgressReviewReport, CKG.Document),
        (CKG.Review, rdflib.URIRef("http://www.w3.org/ns/prov#Activity")),
        (CKG.ProgressReview, CKG.Review),
        (CKG.CQCAssessment, CKG.Inspection),
        (CKG.Meeting, CKG.Review),
        (CKG.RiskMention, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")),
    ],
)
def test_reuses_w3c_classes(onto, sub, sup):
    assert (sub, RDFS.subClassOf, sup) in onto


@needs_java
def test_hermit_finds_the_ontology_consistent():
    inference.check_consistency()  # the packaged ontology and taxonomies: raises if not


INCONSISTENT = {
    "individual in two disjoint classes": """
        ckg:Broken a owl:Class ; rdfs:subClassOf ckg:Recommendation , ckg:RiskMention .
        <https://w3id.org/councilkg/id/broken> a ckg:Broken .
    """,
    "council disjoint with organisation": """
        ckg:Council owl:disjointWith org:Organization .
        <https://w3id.org/councilkg/id/council/nowhere> a ckg:Council .
    """,
    "unsatisfiable class": """
        ckg:Broken a owl:Class ; rdfs:subClassOf ckg:ProgressReview , ckg:Meeting .
    """,
}


@needs_java
@pytest.mark.parametrize("name", sorted(INCONSISTENT))
def test_an_inconsistent_copy_is_rejected(tmp_path, name):
    broken = tmp_path / "broken.ttl"
    broken.write_text(_text("councilkg.ttl") + "\n" + INCONSISTENT[name], encoding="utf-8")
    with pytest.raises(InconsistentOntology) as caught:
        inference.check_consistency(broken)
    assert "broken.ttl" in str(caught.value)


def test_bad_turtle_is_reported(tmp_path):
    broken = tmp_path / "syntax.ttl"
    broken.write_text("ckg:Council a owl:Class", encoding="utf-8")
    with pytest.raises(InconsistentOntology, match="syntax.ttl"):
        inference.check_consistency(broken)


def test_missing_java_is_a_clear_error(monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-here")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(CouncilKGError, match="needs Java"):
        inference.java_executable()


def test_a_consistent_ontology_version_is_checked_once(tmp_path, monkeypatch):
    """build records the sha256 of an ontology HermiT found consistent, and does not run HermiT for it again."""
    from councilkg import ingest
    from councilkg.graph import CONSISTENT_RECORD, KnowledgeGraph
    from councilkg.settings import Settings

    calls = []
    monkeypatch.setattr(inference, "java_executable", lambda: "java")
    monkeypatch.setattr(inference, "check_consistency", lambda *args: calls.append(args))
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store"), cache_dir=tmp_path / "cache", progress=False))
    assert kg.check_ontology() is None
    assert kg.check_ontology() is None
    assert len(calls) == 1
    record = tmp_path / "cache" / CONSISTENT_RECORD
    assert record.read_text(encoding="ascii").split() == [ingest.ontology_digest()]
    record.write_text("0" * 64 + "\n", encoding="ascii")  # another version was checked, not this one
    kg.check_ontology()
    assert len(calls) == 2

    def inconsistent(*args):
        raise InconsistentOntology("unsatisfiable: ckg:Nothing")

    monkeypatch.setattr(inference, "check_consistency", inconsistent)
    record.unlink()
    with pytest.raises(InconsistentOntology):
        kg.check_ontology()
    assert not record.exists()
