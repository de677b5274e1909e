"""Person identity across documents: merged when name and employer agree, kept apart when employers conflict."""

from __future__ import annotations

import pyoxigraph as ox

from councilkg import derived
from councilkg.iri import Minter
from councilkg.linking import link_people, name_key
from councilkg.model import CouncilMention, Extraction, Peer, PersonMention, Span
from councilkg.namespaces import LINKS_GRAPH
from councilkg.rdf import SourceInfo, document_quads
from councilkg.store import EmbeddedStore

SPAN = Span("quote", 0, 5, 1)


def review(stem, council, peers=(), people=()):
    x = Extraction(kind="progress-review", loader="Test", loader_version="1",
                   council=CouncilMention(council, SPAN), peers=list(peers), people=list(people))
    return document_quads(x, SourceInfo(stem + ".txt", stem, stem), Minter())


def persons(store):
    rows = store.query(
        "SELECT ?p ?name ?reason (COUNT(DISTINCT ?m) AS ?n) WHERE { ?d a <https://w3id.org/councilkg/ontology#IdentityDecision> ;"
        " <https://w3id.org/councilkg/ontology#person> ?p ; <https://w3id.org/councilkg/ontology#reason> ?reason ;"
        " <https://w3id.org/councilkg/ontology#mention> ?m . ?p <http://xmlns.com/foaf/0.1/name> ?name }"
        " GROUP BY ?p ?name ?reason ORDER BY ?name ?p")
    return [(r["name"].value, int(r["n"].value), r["reason"].value, r["p"].value) for r in rows]


def load(store, *graphs):
    for quads in graphs:
        store.replace_graph(quads[0].graph_name, quads)
    link_people(store, Minter())


def test_same_name_same_employer_written_two_ways_is_one_person(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    load(store,
         review("a", "Hackney Council", [Peer("Jo Bloggs", SPAN, role="Director", organisation="LB Bromley")]),
         review("b", "Havering", [Peer("Jo  Bloggs", SPAN, honorific="Dr", role="Director",
                                       organisation="London Borough of Bromley")]))
    [(name, mentions, reason, _)] = persons(store)
    assert (name, mentions) == ("Jo Bloggs", 2)
    assert "same employer London Borough of Bromley" in reason and "'LB Bromley'" in reason


def test_same_name_conflicting_employers_stay_apart(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    load(store,
         review("a", "Hackney Council", [Peer("Sam Smith", SPAN, role="Leader", organisation="Cornwall Council")]),
         review("b", "Havering", [Peer("Sam Smith", SPAN, role="Chief Executive", organisation="Walsall Council")]))
    found = persons(store)
    assert [(n, m) for n, m, _, _ in found] == [("Sam Smith", 1), ("Sam Smith", 1)]
    assert found[0][3] != found[1][3]


def test_mention_without_employer_joins_the_only_person_of_that_name(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    load(store,
         review("a", "Hackney Council", [Peer("Ann Lee", SPAN, organisation="LGA")]),
         review("b", "Havering", people=[PersonMention("Ann Lee", SPAN, role="Principal Adviser")]))
    [(name, mentions, reason, _)] = persons(store)
    assert mentions == 2 and "without an employer" in reason


def test_relinking_replaces_the_links_graph(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    a = review("a", "Hackney Council", [Peer("Ann Lee", SPAN, organisation="LGA")])
    load(store, a)
    first = store.quad_count()
    link_people(store, Minter())
    assert store.quad_count() == first


def test_name_key_ignores_honorifics_accents_and_case():
    assert name_key("Cllr  Zoë O'Neill") == name_key("zoe o neill") == "zoe o neill"


def links_graph(store) -> list[str]:
    return sorted(str(q) for q in store.quads(ox.NamedNode(LINKS_GRAPH)))


DOCS = {
    "a": ("Hackney Council", [Peer("Jo Bloggs", SPAN, role="Director", organisation="LB Bromley"),
                              Peer("Sam Smith", SPAN, role="Leader", organisation="Cornwall Council")]),
    "b": ("Havering", [Peer("Jo  Bloggs", SPAN, honorific="Dr", organisation="London Borough of Bromley")]),
    "c": ("Camden", [Peer("Sam Smith", SPAN, role="Chief Executive", organisation="Walsall Council"),
                     Peer("Ann Lee", SPAN, organisation="LGA")]),
    "d": ("Barnet", [], [PersonMention("Ann Lee", SPAN, role="Principal Adviser")]),
}


def put_doc(store, stem, peers_only=False):
    council, peers, *people = DOCS[stem]
    quads = review(stem, council, peers[:1] if peers_only else peers, *people)
    store.replace_graph(quads[0].graph_name, quads)
    return quads[0].graph_name


def test_people_linked_document_by_document_equal_people_linked_at_once(tmp_path):
    cold = EmbeddedStore(tmp_path / "cold")
    for stem in DOCS:
        put_doc(cold, stem)
    link_people(cold, Minter())
    expected = links_graph(cold)
    assert len(persons(cold)) == 4
    for seed, order in enumerate((["a", "b", "c", "d"], ["d", "c", "b", "a"], ["c", "a", "d", "b"])):
        store = EmbeddedStore(tmp_path / f"steps-{seed}")
        for stem in order:
            link_people(store, Minter(), changed=[put_doc(store, stem)])
        # a document loses a peer and gets it back; another is dropped and comes back, the process restarting
        link_people(store, Minter(), changed=[put_doc(store, order[0], peers_only=True)])
        link_people(store, Minter(), changed=[put_doc(store, order[0])])
        derived._memories.clear()
        gone = Minter().graph(order[1])
        store.drop_graph(gone)
        link_people(store, Minter(), changed=[gone])
        assert links_graph(store) != expected
        link_people(store, Minter(), changed=[put_doc(store, order[1])])
        assert links_graph(store) == expected
        store.close()
    cold.close()
