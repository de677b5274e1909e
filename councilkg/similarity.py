"""Similar recommendations across councils, computed after loading into their own named graph.

Nothing across documents can be computed while one document is loaded, so
:func:`link_similar` runs after every load or build: it reads every recommendation (short
title, full text and theme assignments) from the store, compares each pair made to
different councils, and replaces the graph ``SIMILARITY_GRAPH`` with one
``ckg:SimilarityLink`` per pair that scores at least ``MIN_SCORE``, in one atomic
``replace_graph`` call.

The score is ``THEME_WEIGHT`` x theme overlap + ``TEXT_WEIGHT`` x text similarity:

* theme overlap: the weighted Jaccard index of the two recommendations' theme scores
  (sum of the smaller score per theme over sum of the larger);
* text similarity: the cosine of TF-IDF vectors of content-word stems
  (:func:`councilkg.themes.stems`), with document frequencies over all recommendations.

The saved query ``similar-recommendations`` reads the links.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from councilkg.iri import Minter
from councilkg.namespaces import CKG, PROV, RDF, RDFS, SIMILARITY_GRAPH, XSD, term
from councilkg.themes import stems

THEME_WEIGHT = 0.6
TEXT_WEIGHT = 0.4
#: Pairs scoring less are not linked.
MIN_SCORE = 0.3
#: Each recommendation keeps at most this many most similar partners.
TOP_K = 5
#: Word stems in more than this share of recommendations (and more than COMMON_FLOOR) find no candidates.
COMMON_SHARE = 0.05
COMMON_FLOOR = 25
#: Recorded as ckg:method on every link.
METHODS = ("weighted-jaccard:themes", "tfidf-cosine:word-stems")

_RECOMMENDATIONS = f"""
SELECT ?rec ?council ?title ?text ?theme ?score WHERE {{
  ?rec a <{CKG.Recommendation}> ; <{CKG.council}> ?council ; <{CKG.shortTitle}> ?title .
  OPTIONAL {{ ?rec <{CKG.fullText}> ?text }}
  OPTIONAL {{ ?rec <{CKG.themeAssignment}> ?a . ?a <{CKG.assignedTheme}> ?theme ; <{CKG.themeScore}> ?score }}
}}"""


@dataclass
class RecommendationText:
    iri: str
    council: str
    text: str
    themes: dict[str, float] = field(default_factory=dict)  # theme IRI -> score


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    score: float
    theme_overlap: float
    text_similarity: float
    shared_themes: tuple[str, ...]


def read_recommendations(store) -> list[RecommendationText]:
    """Every recommendation in the store with its council, words and theme scores."""
    recs: dict[str, RecommendationText] = {}
    for row in store.query(_RECOMMENDATIONS):
        iri = row["rec"].value
        rec = recs.get(iri)
        if rec is None:
            text = " ".join(t.value for t in (row["title"], row["text"]) if t is not None)
            rec = recs[iri] = RecommendationText(iri, row["council"].value, text)
        if row["theme"] is not None:
            rec.themes[row["theme"].value] = float(row["score"].value)
    return [recs[k] for k in sorted(recs)]


def theme_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted Jaccard index of two theme-score maps."""
    keys = set(a) | set(b)
    top = sum(max(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    return sum(min(a.get(k, 0.0), b.get(k, 0.0)) for k in keys) / top if top else 0.0


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of content-word stems."""
    bags = [Counter(s for s in _tokens(t)) for t in texts]
    df = Counter(s for bag in bags for s in bag)
    n = len(texts)
    vectors = []
    for bag in bags:
        vec = {s: (1 + math.log(c)) * (math.log((n + 1) / (df[s] + 1)) + 1) for s, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({s: v / norm for s, v in vec.items()})
    return vectors


def _tokens(text: str) -> list[str]:
    # stems() gives a set; repeated words should count, so stem word by word.
    return [s for word in text.split() for s in stems(word)]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def similar_pairs(recs: list[RecommendationText], min_score: float = MIN_SCORE, top_k: int = TOP_K) -> list[Link]:
    """Links between recommendations of different councils that score at least ``min_score``.

    Each recommendation keeps its ``top_k`` best partners. Candidates are found through an
    inverted index of distinctive word stems (those in at most ``COMMON_SHARE`` of the
    recommendations, or ``COMMON_FLOOR``): comparing every pair grows with the square of
    the corpus, and two recommendations that share no distinctive word are not "similar"
    however alike their themes (shared themes are queried directly).
    """
    vectors = tfidf_vectors([r.text for r in recs])
    limit = max(COMMON_FLOOR, int(len(recs) * COMMON_SHARE))
    postings: dict[str, list[int]] = {}
    for i, vector in enumerate(vectors):
        for stem in vector:
            postings.setdefault(stem, []).append(i)
    kept: dict[tuple[int, int], Link] = {}
    for i, a in enumerate(recs):
        candidates: set[int] = set()
        for stem in vectors[i]:
            posting = postings[stem]
            if len(posting) <= limit:
                candidates.update(posting)
        scored = []
        for j in candidates:
            b = recs[j]
            if j == i or a.council == b.council:
                continue
            overlap = theme_overlap(a.themes, b.themes)
            text = cosine(vectors[i], vectors[j])
            score = THEME_WEIGHT * overlap + TEXT_WEIGHT * text
            if score >= min_score:
                scored.append((score, j, overlap, text))
        scored.sort(key=lambda s: (-s[0], recs[s[1]].iri))
        for score, j, overlap, text in scored[:top_k]:
            x, y = (i, j) if i < j else (j, i)
            if (x, y) not in kept:
                shared = tuple(sorted(set(a.themes) & set(recs[j].themes)))
                kept[(x, y)] = Link(recs[x].iri, recs[y].iri, score, overlap, text, shared)
    return [kept[key] for key in sorted(kept)]


def link_iri(a: str, b: str, minter: Minter) -> ox.NamedNode:
    """``<a>/similar/<b's path under the base>``: readable, and the same for the same pair."""
    tail = b[len(minter.base):] if minter.is_ours(b) else b
    return Minter.under(ox.NamedNode(a), "similar", *tail.split("/"))


def _decimal(x: float) -> ox.Literal:
    return ox.Literal(format(Decimal(str(round(x, 3))), "f"), datatype=term(XSD.decimal))


def link_quads(links: list[Link], minter: Minter) -> list[ox.Quad]:
    graph = ox.NamedNode(SIMILARITY_GRAPH)
    quads = [
        ox.Quad(graph, term(RDF.type), term(PROV.Entity), graph),
        ox.Quad(graph, term(RDFS.label), ox.Literal("Similar recommendations of different councils"), graph),
    ]
    for link in links:
        node = link_iri(link.a, link.b, minter)
        add = lambda p, o: quads.append(ox.Quad(node, term(p), o, graph))  # noqa: E731
        add(RDF.type, term(CKG.SimilarityLink))
        for rec in (link.a, link.b):
            add(CKG.linkedRecommendation, ox.NamedNode(rec))
            add(PROV.wasDerivedFrom, ox.NamedNode(rec))
        add(CKG.similarityScore, _decimal(link.score))
        add(CKG.themeOverlap, _decimal(link.theme_overlap))
        add(CKG.textSimilarity, _decimal(link.text_similarity))
        for theme in link.shared_themes:
            add(CKG.sharedTheme, ox.NamedNode(theme))
        for method in METHODS:
            add(CKG.method, ox.Literal(method))
    return quads


def link_similar(store, minter: Minter | None = None, min_score: float = MIN_SCORE) -> int:
    """Recompute the similarity graph from what the store holds now; return the number of links.

    Call after every load or build (and after documents are dropped): the graph is
    replaced whole, so links to recommendations that are gone disappear with it.
    """
    links = similar_pairs(read_recommendations(store), min_score)
    store.replace_graph(ox.NamedNode(SIMILARITY_GRAPH), link_quads(links, minter or Minter()))
    return len(links)


def similar_to_text(store, text: str, limit: int = 10) -> list[Link]:
    """Recommendations most like a free text, best first, scored as links are (``Link.a`` is ``""``).

    Free text cannot go through a saved query (its themes and word vector must be computed
    first); the query ``similar-recommendations`` takes a phrase that picks recommendations
    instead. This is the library call for text.
    """
    from councilkg.themes import assign

    recs = read_recommendations(store)
    probe = RecommendationText("", "", text, {t.iri: float(t.score) for t in assign(text)})
    vectors = tfidf_vectors([r.text for r in recs] + [text])
    links = []
    for rec, vector in zip(recs, vectors):
        overlap = theme_overlap(probe.themes, rec.themes)
        words = cosine(vectors[-1], vector)
        shared = tuple(sorted(set(probe.themes) & set(rec.themes)))
        links.append(Link("", rec.iri, THEME_WEIGHT * overlap + TEXT_WEIGHT * words, overlap, words, shared))
    links.sort(key=lambda link: (-link.score, link.b))
    return links[:limit]
