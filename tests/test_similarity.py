"""Similar recommendations: the grouped scoring equals comparing every candidate pair, and a graph kept up to
date load by load (``changed=``) is the graph computed from scratch, whatever the order of the loads."""

from __future__ import annotations

import doctest
import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import derived, similarity
from councilkg.iri import Minter
from councilkg.model import CouncilMention, Extraction, PartialDate, Recommendation, Span
from councilkg.namespaces import CKG, SIMILARITY_GRAPH
from councilkg.rdf import SourceInfo, document_quads
from councilkg.similarity import RecommendationText
from councilkg.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
MINTER = Minter()
SIM = ox.NamedNode(SIMILARITY_GRAPH)
SPAN = Span("quote", 0, 5, 1)
PLACES = ["Adur", "Arun", "Bolton", "Crewe", "Dover", "Exeter", "Fenland", "Gosport"]
# Wordings repeated council after council (with the place in them), as the benchmark corpus and real reports do.
TEMPLATES = [
    ("Communications", "Develop a communications and engagement strategy that tells the story of {place}."),
    ("Financial strategy", "Refresh the medium-term financial strategy so that it closes the budget gap in {place}."),
    ("Scrutiny", "Strengthen overview and scrutiny so that it holds the executive to account."),
    ("Programme office", "Ensure the programme management office is resourced to drive delivery of savings."),
    ("Performance", "Strengthen the performance management framework, making better use of data."),
    ("Risk management", "Refresh the corporate risk register and ensure risks are owned and reviewed."),
    ("Housing", "Improve the condition of council housing and respond to damp and mould quickly in {place}."),
    ("Workforce", "Develop a workforce strategy that addresses recruitment and retention."),
]


def test_doctests():
    assert doctest.testmod(similarity).failed == 0


# -- scoring --------------------------------------------------------------------------------------


def naive_pairs(recs: list[RecommendationText], min_score=similarity.MIN_SCORE, top_k=similarity.TOP_K):
    """The definition, pair by pair: each recommendation scores every candidate sharing a distinctive stem."""
    vectors = similarity.tfidf_vectors([r.text for r in recs])
    limit = max(similarity.COMMON_FLOOR, int(len(recs) * similarity.COMMON_SHARE))
    postings: dict[str, list[int]] = {}
    for i, vector in enumerate(vectors):
        for stem in vector:
            postings.setdefault(stem, []).append(i)
    wordings = {stem: len({recs[i].text for i in posting}) for stem, posting in postings.items()}
    kept = {}
    for i, a in enumerate(recs):
        candidates = {j for stem in vectors[i] if len(postings[stem]) <= limit
                      and wordings[stem] <= similarity.COMMON_CAP for j in postings[stem]}
        scored = []
        for j in candidates:
            if j != i and recs[j].council != a.council:
                overlap = similarity.theme_overlap(a.themes, recs[j].themes)
                text = similarity.cosine(vectors[i], vectors[j])
                score = similarity.THEME_WEIGHT * overlap + similarity.TEXT_WEIGHT * text
                if score >= min_score:
                    scored.append((score, recs[j].iri, j, overlap, text))
        scored.sort(key=lambda s: (-s[0], s[1]))
        for score, _, j, overlap, text in scored[:top_k]:
            key = (min(i, j), max(i, j))
            if key not in kept:
                shared = tuple(sorted(set(a.themes) & set(recs[j].themes)))
                kept[key] = similarity.Link(recs[key[0]].iri, recs[key[1]].iri, score, overlap, text, shared)
    return [kept[k] for k in sorted(kept)]


def random_recs(seed: int, n: int) -> list[RecommendationText]:
    rng = random.Random(seed)
    themes = [f"https://example.org/theme/{t}" for t in "abcde"]
    recs = []
    for i in range(n):
        title, text = rng.choice(TEMPLATES)
        place = rng.choice(PLACES)
        chosen = {t: rng.choice([0.283, 0.487, 0.632, 0.853]) for t in rng.sample(themes, rng.choice([1, 1, 2]))}
        words = text.format(place=place) + (" " + rng.choice(PLACES) if rng.random() < 0.3 else "")
        recs.append(RecommendationText(f"https://example.org/{place.lower()}/{i:04d}", place, f"{title} {words}",
                                       chosen))
    return sorted(recs, key=lambda r: r.iri)


@pytest.mark.parametrize("seed", range(6))
def test_grouped_scoring_equals_every_pair_compared(seed, monkeypatch):
    recs = random_recs(seed, 60 + 40 * seed)
    if seed % 2:  # a cap that binds: stems in more wordings stop finding candidates
        uncapped = naive_pairs(recs)
        monkeypatch.setattr(similarity, "COMMON_CAP", 9)
        assert naive_pairs(recs) != uncapped
    expected = naive_pairs(recs)
    assert expected
    assert similarity.similar_pairs(recs) == expected


def test_ties_go_to_the_smaller_iri_and_each_side_keeps_its_best():
    same = "Scrutiny Strengthen overview and scrutiny so that it holds the executive to account."
    recs = [RecommendationText(f"https://example.org/r/{i}", f"council-{i % 4}", same, {"t": 0.5}) for i in range(12)]
    links = similarity.similar_pairs(recs, top_k=2)
    chosen: dict[str, set[str]] = {}
    for link in links:
        assert link.score == pytest.approx(1) and link.shared_themes == ("t",)
        chosen.setdefault(link.a, set()).add(link.b)
        chosen.setdefault(link.b, set()).add(link.a)
    # r/0 is everyone's first choice of another council; r/1 the next.
    assert chosen["https://example.org/r/0"] >= {f"https://example.org/r/{i}" for i in (1, 2, 3, 5, 6, 7)}


def test_decimals_are_written_as_the_store_keeps_them(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    values = [0.0, 1.0, 0.5, 0.3000000000000000444, 0.87549, 0.0004, 0.9996]
    g = ox.NamedNode("https://example.org/g")
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/{i}"), ox.NamedNode("https://example.org/p"),
                     ox.Literal(similarity.decimal_lexical(v), datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#decimal")), g) for i, v in enumerate(values)]
    store.replace_graph(g, quads)
    assert set(store.quads(g)) == set(quads)
    store.close()


# -- the graph, kept up to date ---------------------------------------------------------------------


def review(stem: str, place: str, picks: list[int], variant: int = 0) -> list[ox.Quad]:
    """A progress review of ``place`` with the recommendations of TEMPLATES[picks]."""
    recs = []
    for number, k in enumerate(picks, start=1):
        title, text = TEMPLATES[k]
        recs.append(Recommendation(number, title, SPAN, text=text.format(place=place) + " Now." * variant))
    x = Extraction(kind="progress-review", loader="hand-made", loader_version="1",
                   council=CouncilMention(f"{place} District Council", SPAN), date=PartialDate(2025, 1 + len(stem) % 9),
                   recommendations=recs)
    digest = hashlib.sha256(f"{stem} {place} {picks} {variant}".encode()).hexdigest()
    return document_quads(x, SourceInfo(f"{stem}.txt", stem, digest), MINTER)


DOCS = {
    f"{place.lower()}-review": (place, [(i * 3 + k) % len(TEMPLATES) for k in range(5)])
    for i, place in enumerate(PLACES)
}


def put(store, stem, variant=0):
    place, picks = DOCS[stem]
    quads = review(stem, place, picks, variant)
    store.replace_graph(quads[0].graph_name, quads)
    return quads[0].graph_name


def graph_of(store) -> list[str]:
    return sorted(str(q) for q in store.quads(SIM))


@pytest.fixture
def cold(tmp_path):
    """Every document in DOCS, linked from scratch."""
    store = EmbeddedStore(tmp_path / "cold")
    for stem in DOCS:
        put(store, stem)
    count = similarity.link_similar(store, MINTER)
    assert count > 10
    yield graph_of(store)
    store.close()


def test_incremental_links_equal_links_from_scratch_whatever_the_order(tmp_path, cold, monkeypatch):
    stems = list(DOCS)
    reads = []
    read = similarity.read_by_graph
    monkeypatch.setattr(similarity, "read_by_graph",
                        lambda store, graphs=None: reads.append(graphs) or read(store, graphs))
    for seed in range(3):
        order = random.Random(seed).sample(stems, len(stems))
        store = EmbeddedStore(tmp_path / f"steps-{seed}")
        first = [put(store, stem) for stem in order[:3]]
        similarity.link_similar(store, MINTER, changed=first)
        for stem in order[3:]:
            graph = put(store, stem)
            similarity.link_similar(store, MINTER, changed=[graph])
            assert reads[-1] == {graph.value}  # only the changed graph is read
        # A document changes and changes back; one is dropped and comes back; the process restarts in between.
        changed = put(store, order[0], variant=1)
        similarity.link_similar(store, MINTER, changed=[changed])
        assert graph_of(store) != cold
        derived._memories.clear()
        similarity.link_similar(store, MINTER, changed=[put(store, order[0])])
        dropped = MINTER.graph(order[1])
        store.drop_graph(dropped)
        similarity.link_similar(store, MINTER, changed=[dropped])
        similarity.link_similar(store, MINTER, changed=[put(store, order[1])])
        assert graph_of(store) == cold
        store.close()


def test_a_graph_rewritten_elsewhere_is_rebuilt_whole(tmp_path, cold):
    store = EmbeddedStore(tmp_path / "s")
    for stem in DOCS:
        put(store, stem)
    similarity.link_similar(store, MINTER, changed=[])
    # Another program rewrites the graph (without the digest) and adds a stray link.
    stray = ox.Quad(ox.NamedNode("https://example.org/stray"), ox.NamedNode(str(CKG.similarityScore)),
                    ox.Literal("1"), SIM)
    kept = [q for q in store.quads(SIM) if q.predicate.value != str(CKG.sha256)]
    store.replace_graph(SIM, [*kept, stray])
    similarity.link_similar(store, MINTER, changed=[])
    assert graph_of(store) == cold
    # Without changed=, nothing is trusted: a stray triple goes even when the digest is intact.
    store.update(f"INSERT DATA {{ GRAPH {SIM} {{ {stray.subject} {stray.predicate} {stray.object} }} }}")
    similarity.link_similar(store, MINTER)
    assert graph_of(store) == cold
    store.close()


def test_an_unreadable_memory_is_ignored(tmp_path, cold, caplog):
    store = EmbeddedStore(tmp_path / "s")
    for stem in DOCS:
        put(store, stem)
    similarity.link_similar(store, MINTER, changed=[])
    derived._memories.clear()
    (tmp_path / "s" / "relink-similarity.marshal").write_bytes(b"not a pickle")
    similarity.link_similar(store, MINTER, changed=[])
    assert "ignoring" in caplog.text
    assert graph_of(store) == cold
    store.close()


def test_a_recommendation_in_two_documents_is_read_from_the_first_graph(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    # Two reports of the same council and date: their recommendations have the same IRIs.
    a = review("a-report", "Adur", [0, 2])
    b = [ox.Quad(q.subject, q.predicate, q.object, MINTER.graph("b-report"))
         for q in review("b-report", "Adur", [4, 5])]
    store.replace_graph(a[0].graph_name, a)
    store.replace_graph(b[0].graph_name, b)
    recs = similarity.read_recommendations(store)
    assert [r.text.split()[0] for r in recs] == ["Communications", "Scrutiny"]
    assert all(set(r.themes) == {t for g, rs in similarity.read_by_graph(store).items() if g.endswith("a-report")
                                 for x in rs if x.iri == r.iri for t in x.themes} for r in recs)
    store.close()


def test_scores_do_not_depend_on_string_hashing():
    """The same links, to the last bit, whatever order sets of words and themes come in (PYTHONHASHSEED)."""
    program = ("from tests.test_similarity import random_recs; from councilkg.similarity import similar_pairs; "
               "print([(l.a, l.b, l.score.hex(), l.theme_overlap.hex(), l.text_similarity.hex()) "
               "for l in similar_pairs(random_recs(7, 200))])")
    outputs = {
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and len(outputs.pop()) > 1000


def test_the_method_is_stated_once_on_the_graph(tmp_path):
    """Each link holds its recommendations and scores; the method is the graph's, and a link is derived from its
    recommendations through ckg:linkedRecommendation, a sub-property of prov:wasDerivedFrom."""
    store = EmbeddedStore(tmp_path / "store")
    try:
        for stem in DOCS:
            put(store, stem)
        assert similarity.link_similar(store, MINTER) > 10
        graph = ox.NamedNode(SIMILARITY_GRAPH)
        method = ox.NamedNode(str(CKG.method))
        stated = [q for q in store.quads(graph) if q.predicate == method]
        assert {q.subject for q in stated} == {graph}
        assert {q.object.value for q in stated} == set(similarity.METHODS)
        derived_from = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
        assert not [q for q in store.quads(graph) if q.predicate == derived_from]
    finally:
        store.close()
