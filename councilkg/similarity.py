"""Similar recommendations across councils, computed after loading into their own named graph.

Nothing across documents can be computed while one document is loaded, so
:func:`link_similar` runs after every load or build: it reads every recommendation (short
title, full text and theme assignments) from the store, compares the pairs made to
different councils that share a distinctive word, and makes the graph ``SIMILARITY_GRAPH``
hold one ``ckg:SimilarityLink`` per pair that scores at least ``MIN_SCORE`` and is among
the ``TOP_K`` best of either side, in one transaction.

The score is ``THEME_WEIGHT`` x theme overlap + ``TEXT_WEIGHT`` x text similarity:

* theme overlap: the weighted Jaccard index of the two recommendations' theme scores
  (sum of the smaller score per theme over sum of the larger);
* text similarity: the cosine of TF-IDF vectors of content-word stems
  (:func:`councilkg.themes.stems`), with document frequencies over all recommendations.

Sums are exactly rounded (``math.fsum``), so a score does not depend on the order in which
words or themes happen to be visited, and ties between equal scores go to the smaller IRI:
the graph is a function of the store's content alone. A recommendation IRI described by two
documents (two reports of one council, kind and date) is read from the graph whose IRI sorts
first, whole (title, text and themes from one document).

At national scale (13,000 recommendations) this takes about a second: recommendations worded
alike are scored once per wording (:func:`_pairs`), and after a load that names the changed
graphs (``changed=``) only those are read again and only the links that differ are written
(:mod:`councilkg.derived`). The graph records a digest of its links (``ckg:sha256``).

The saved query ``similar-recommendations`` reads the links.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from councilkg.derived import (READ_ONE_BY_ONE, Memory, Triple, as_quads, digest, digest_quad, digest_triple,
                               start_pass, write_difference, write_graph)
from councilkg.iri import Minter, slug
from councilkg.namespaces import CKG, PROV, RDF, RDFS, SIMILARITY_GRAPH, XSD
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
#: Nor do stems used in more than this many different wordings, however large the corpus: the
#: candidates of a wording are then bounded by its words times this, not by the corpus.
COMMON_CAP = 256
#: Recorded as ckg:method of the similarity graph (once, for every link in it).
METHODS = ("weighted-jaccard:themes", "tfidf-cosine:word-stems")

# One query per part (each a single graph pattern): a recommendation's full text and its
# theme assignments are optional, and OPTIONAL joins over the union graph cost far more.
_RECOMMENDATIONS = f"""
SELECT ?g ?rec ?council ?title WHERE {{
  GRAPH ?g {{ ?rec a <{CKG.Recommendation}> ; <{CKG.council}> ?council ; <{CKG.shortTitle}> ?title }}
}}"""
_FULL_TEXTS = f"SELECT ?g ?rec ?text WHERE {{ GRAPH ?g {{ ?rec <{CKG.fullText}> ?text }} }}"
_THEMES = f"""
SELECT ?g ?rec ?theme ?score WHERE {{
  GRAPH ?g {{ ?rec <{CKG.themeAssignment}> ?a . ?a <{CKG.assignedTheme}> ?theme ; <{CKG.themeScore}> ?score }}
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
    """Every recommendation in the store with its council, words and theme scores, sorted by IRI."""
    return merge(read_by_graph(store))


def read_by_graph(store, graphs: Iterable[str] | None = None) -> dict[str, list[RecommendationText]]:
    """The recommendations each graph describes (of ``graphs``, or of every graph).

    A recommendation with two councils or short titles in one graph keeps the smallest
    (council, title) pair, and the smallest full text (one of each per document is the norm;
    the choice must not depend on the order of rows).
    """
    if graphs is None:
        found = _read(store, None)
    else:
        found = {}
        for graph in sorted(graphs):
            found.update(_read(store, graph))
    return {
        graph: [RecommendationText(iri, council, text, themes) for iri, (council, text, themes) in sorted(recs.items())]
        for graph, recs in found.items()
    }


def _read(store, graph: str | None) -> dict[str, dict[str, tuple[str, str, dict[str, float]]]]:
    bind = {ox.Variable("g"): ox.NamedNode(graph)} if graph is not None else None
    heads: dict[tuple[str, str], tuple[str, str]] = {}
    for row in store.query(_RECOMMENDATIONS, bind):
        key, value = (row["g"].value, row["rec"].value), (row["council"].value, row["title"].value)
        heads[key] = min(heads.get(key, value), value)
    texts: dict[tuple[str, str], str] = {}
    for row in store.query(_FULL_TEXTS, bind):
        key, text = (row["g"].value, row["rec"].value), row["text"].value
        if key in heads:
            texts[key] = min(texts.get(key, text), text)
    themes: dict[tuple[str, str], dict[str, float]] = {}
    for row in store.query(_THEMES, bind):
        key = (row["g"].value, row["rec"].value)
        if key in heads:
            scores = themes.setdefault(key, {})
            theme, score = row["theme"].value, float(row["score"].value)
            scores[theme] = max(scores.get(theme, score), score)
    out: dict[str, dict[str, tuple[str, str, dict[str, float]]]] = {}
    for (g, iri), (council, title) in heads.items():
        text = f"{title} {texts[(g, iri)]}" if (g, iri) in texts else title
        out.setdefault(g, {})[iri] = (council, text, themes.get((g, iri), {}))
    return out


def merge(by_graph: dict[str, list[RecommendationText]]) -> list[RecommendationText]:
    """One recommendation per IRI, sorted by IRI; one described by two documents (a clash of
    council, kind and date) is read from the graph whose IRI sorts first."""
    recs: dict[str, RecommendationText] = {}
    for graph in sorted(by_graph, reverse=True):
        for rec in by_graph[graph]:
            recs[rec.iri] = rec
    return [recs[iri] for iri in sorted(recs)]


def theme_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted Jaccard index of two theme-score maps."""
    keys = set(a) | set(b)
    # fsum: exactly rounded, so the result does not depend on the order of the keys.
    top = math.fsum(max(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    return math.fsum(min(a.get(k, 0.0), b.get(k, 0.0)) for k in keys) / top if top else 0.0


def tfidf_vectors(texts: list[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of content-word stems."""
    bags = [Counter(_tokens(t)) for t in texts]
    df = Counter(s for bag in bags for s in bag)
    return [_vector(bag, df, len(texts)) for bag in bags]


def _vector(bag: Counter, df: Counter, n: int) -> dict[str, float]:
    vec = {s: (1 + math.log(c)) * (math.log((n + 1) / (df[s] + 1)) + 1) for s, c in bag.items()}
    norm = math.sqrt(math.fsum(v * v for v in vec.values())) or 1.0
    return {s: v / norm for s, v in vec.items()}


def _tokens(text: str) -> list[str]:
    # stems() gives a set; repeated words should count, so stem word by word.
    return [s for word in text.split() for s in sorted(stems(word))]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return math.fsum([v * b[k] for k, v in a.items() if k in b])


def similar_pairs(recs: list[RecommendationText], min_score: float = MIN_SCORE, top_k: int = TOP_K) -> list[Link]:
    """Links between recommendations of different councils that score at least ``min_score`` (see :func:`_pairs`)."""
    return [Link(recs[x].iri, recs[y].iri, *found) for (x, y), found in sorted(_pairs(recs, min_score, top_k).items())]


def _pairs(recs: list[RecommendationText], min_score: float, top_k: int) -> dict[tuple[int, int], tuple]:
    """Links between recommendations of different councils that score at least ``min_score``.

    ``recs`` are sorted by IRI, one per IRI. Each recommendation keeps its ``top_k`` best
    partners (ties go to the smaller IRI). Candidates are found through an inverted index of
    distinctive word stems: those in at most ``COMMON_SHARE`` of the recommendations (or
    ``COMMON_FLOOR``) and in at most ``COMMON_CAP`` different wordings. Comparing every pair
    grows with the square of the corpus, and two recommendations that share no distinctive
    word are not "similar" however alike their themes (shared themes are queried directly).

    Recommendations worded alike (reports repeat template wordings, council after council)
    have one vector, and those that also have the same themes score alike against everything:
    scores are computed once per such group ("cell") and each recommendation of a group
    walks the same ranked list, so the work grows with the number of different wordings, not
    with the square of the number of recommendations.
    """
    n = len(recs)
    wording_of: dict[str, int] = {}
    rec_wording = [wording_of.setdefault(r.text, len(wording_of)) for r in recs]
    bags = [Counter(_tokens(text)) for text in wording_of]
    uses = Counter(rec_wording)
    df: Counter = Counter()
    for w, bag in enumerate(bags):
        for stem in bag:
            df[stem] += uses[w]
    vectors = [_vector(bag, df, n) for bag in bags]
    holders: dict[str, list[int]] = defaultdict(list)  # stem -> wordings that use it
    for w, vector in enumerate(vectors):
        for stem in vector:
            holders[stem].append(w)
    limit = max(COMMON_FLOOR, int(n * COMMON_SHARE))
    distinctive = {stem for stem, ws in holders.items() if df[stem] <= limit and len(ws) <= COMMON_CAP}

    profile_of: dict[tuple, int] = {}
    rec_profile = [profile_of.setdefault(tuple(sorted(r.themes.items())), len(profile_of)) for r in recs]
    profiles = [dict(p) for p in profile_of]
    overlaps = [[theme_overlap(a, b) for b in profiles] for a in profiles]
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)  # (wording, profile) -> recs, in IRI order
    for i in range(n):
        cells[(rec_wording[i], rec_profile[i])].append(i)
    cells_of: list[list[tuple[int, list[int]]]] = [[] for _ in vectors]  # wording -> (profile, recs)
    for (w, p), members in sorted(cells.items()):
        cells_of[w].append((p, members))

    cosines: dict[int, float] = {}
    best: list[list[tuple[float, int, float, float]]] = [[] for _ in range(n)]
    for w, vector in enumerate(vectors):
        near: set[int] = set()
        for stem in vector:
            if stem in distinctive:
                near.update(holders[stem])
        texts = []
        for u in near:
            key = w * len(vectors) + u if w < u else u * len(vectors) + w
            text = cosines.get(key)
            if text is None:
                text = cosines[key] = cosine(vector, vectors[u])
            texts.append((u, text))
        for p, members in cells_of[w]:
            row = overlaps[p]
            by_score: dict[float, list[tuple[list[int], float, float]]] = defaultdict(list)
            for u, text in texts:
                for q, js in cells_of[u]:
                    score = THEME_WEIGHT * row[q] + TEXT_WEIGHT * text
                    if score >= min_score:
                        by_score[score].append((js, row[q], text))
            # Best first; within one score, by IRI (the order of indices). Merged as far as needed.
            ranked = sorted(by_score.items(), reverse=True)
            merged: list[list[tuple[int, float, float]] | None] = [None] * len(ranked)
            for i in members:
                council, found = recs[i].council, best[i]
                for g, (score, group) in enumerate(ranked):
                    if merged[g] is None:
                        merged[g] = sorted((j, overlap, text) for js, overlap, text in group for j in js)
                    for j, overlap, text in merged[g]:
                        if j != i and recs[j].council != council:
                            found.append((score, j, overlap, text))
                            if len(found) == top_k:
                                break
                    if len(found) == top_k:
                        break
    # A pair both of whose sides chose the other is kept once, scored as the first side saw it.
    kept: dict[tuple[int, int], tuple[float, float, float, tuple[str, ...]]] = {}
    shared: dict[tuple[int, int], tuple[str, ...]] = {}
    for i in range(n):
        for score, j, overlap, text in best[i]:
            key = (i, j) if i < j else (j, i)
            if key not in kept:
                themes = (rec_profile[i], rec_profile[j])
                if themes not in shared:
                    shared[themes] = tuple(sorted(set(profiles[themes[0]]) & set(profiles[themes[1]])))
                kept[key] = (score, overlap, text, shared[themes])
    return kept


def link_iri(a: str, b: str, minter: Minter) -> ox.NamedNode:
    """``<a>/similar/<b's path under the base>``: readable, and the same for the same pair."""
    tail = b[len(minter.base):] if minter.is_ours(b) else b
    return Minter.under(ox.NamedNode(a), "similar", *tail.split("/"))


def decimal_lexical(x: float) -> str:
    """``x`` to three places, in the canonical form the store keeps (``1``, not ``1.0``).

    Written in any other form, the store would hold a different string than was written,
    and each rewrite would see every such triple as changed.

    >>> decimal_lexical(0.87549), decimal_lexical(1.0), decimal_lexical(0.1 + 0.2)
    ('0.875', '1', '0.3')
    """
    # The shortest repr of a float rounded to three places has at most three decimals
    # (it is what str(Decimal(...)) wrote before); only a whole number needs its ".0" dropped.
    text = repr(round(x, 3))
    return text[:-2] if text.endswith(".0") else text


#: One row of the link table: the three scores as written, and the shared themes.
Row = tuple[str, str, str, tuple[str, ...]]


def link_row(link: Link) -> Row:
    return (decimal_lexical(link.score), decimal_lexical(link.theme_overlap),
            decimal_lexical(link.text_similarity), link.shared_themes)


class _Writer:
    """The triples of links, as N-Triples terms (see :mod:`councilkg.derived`)."""

    def __init__(self, minter: Minter):
        self.minter = minter
        self.graph = f"<{SIMILARITY_GRAPH}>"
        self.p = {name: f"<{iri}>" for name, iri in (
            ("type", RDF.type), ("linked", CKG.linkedRecommendation),
            ("score", CKG.similarityScore), ("overlap", CKG.themeOverlap), ("text", CKG.textSimilarity),
            ("theme", CKG.sharedTheme), ("method", CKG.method))}
        self.link_class = f"<{CKG.SimilarityLink}>"
        self.decimal = f"^^<{XSD.decimal}>"
        self.methods = [str(ox.Literal(m)) for m in METHODS]
        self.tails: dict[str, str] = {}

    def header(self) -> list[Triple]:
        g = self.graph
        return [(g, self.p["type"], f"<{PROV.Entity}>"),
                (g, f"<{RDFS.label}>", str(ox.Literal("Similar recommendations of different councils"))),
                *((g, self.p["method"], method) for method in self.methods)]

    def _tail(self, b: str) -> str:
        tail = self.tails.get(b)
        if tail is None:
            rest = b[len(self.minter.base):] if self.minter.is_ours(b) else b
            tail = self.tails[b] = "/".join(slug(part, "x") for part in ["similar", *rest.split("/")])
        return tail

    def triples(self, a: str, b: str, row: Row) -> list[Triple]:
        """The triples of one link (as :func:`link_iri` names it)."""
        p, dec = self.p, self.decimal
        node, na, nb = f"<{a}/{self._tail(b)}>", f"<{a}>", f"<{b}>"
        out = [
            (node, p["type"], self.link_class),
            (node, p["linked"], na), (node, p["linked"], nb),
            (node, p["score"], f'"{row[0]}"{dec}'), (node, p["overlap"], f'"{row[1]}"{dec}'),
            (node, p["text"], f'"{row[2]}"{dec}'),
        ]
        out.extend((node, p["theme"], f"<{theme}>") for theme in row[3])
        return out


def _cached(fn):
    memo: dict = {}

    def call(x):
        found = memo.get(x)
        if found is None:
            found = memo[x] = fn(x)
        return found

    return call


def table_digest(table: dict[tuple[str, str], Row]) -> str:
    """The digest the similarity graph records of its links (see :mod:`councilkg.derived`)."""
    rows = sorted(table.items())
    return digest(["\n".join(f"{a} {b} {s} {o} {t} {' '.join(themes)}" for (a, b), (s, o, t, themes) in rows)])


def link_quads(links: list[Link], minter: Minter) -> list[ox.Quad]:
    """The whole similarity graph for ``links`` (with its digest)."""
    table = {(link.a, link.b): link_row(link) for link in links}
    graph = ox.NamedNode(SIMILARITY_GRAPH)
    return [*as_quads(_graph_triples(table, _Writer(minter)), graph), digest_quad(graph, table_digest(table))]


def _graph_triples(table: dict[tuple[str, str], Row], writer: _Writer) -> list[Triple]:
    triples = writer.header()
    for (a, b), row in sorted(table.items()):
        triples.extend(writer.triples(a, b, row))
    return triples


_MEMORY = Memory("similarity")
#: What the links and their triples are a function of besides the recommendations (a memory made
#: otherwise is not reused; the first number changes with the triples a link is written as).
_METHOD = (2, THEME_WEIGHT, TEXT_WEIGHT, TOP_K, COMMON_SHARE, COMMON_FLOOR, COMMON_CAP)


def link_similar(store, minter: Minter | None = None, min_score: float = MIN_SCORE,
                 changed: Iterable[str | ox.NamedNode] | None = None) -> int:
    """Recompute the similarity graph from what the store holds now; return the number of links.

    Call after every load or build (and after documents are dropped): links to
    recommendations that are gone disappear. With ``changed`` (the graphs loaded or dropped
    since the last call), only those are read again and only the links that differ are
    written (:mod:`councilkg.derived`); the graph is the same either way.
    """
    minter = minter or Minter()
    graph = ox.NamedNode(SIMILARITY_GRAPH)
    method = (*_METHOD, min_score, minter.base)
    remembered = _MEMORY.get(store) if changed is not None else None
    if remembered is not None and remembered.get("method") != method:
        remembered = None  # other settings, or links written otherwise: the graph is written anew
    memory, versions, stale = start_pass(store, graph, remembered, changed)
    rows = {} if memory is None else {g: r for g, r in memory["recs"].items() if g in versions and g not in stale}
    # A few graphs are read one by one; more, and one pass over every graph is quicker.
    for g, recs in read_by_graph(store, stale if len(stale) <= READ_ONE_BY_ONE else None).items():
        if recs:
            rows[g] = [(r.iri, r.council, r.text, tuple(sorted(r.themes.items()))) for r in recs]
    if memory is not None and rows == memory["recs"]:
        table, new_digest = memory["links"], memory["digest"]  # the same recommendations: the same links
    else:
        recs = merge({g: [RecommendationText(iri, council, text, dict(themes)) for iri, council, text, themes in rs]
                      for g, rs in rows.items()})
        lexical = _cached(decimal_lexical)
        table = {(recs[x].iri, recs[y].iri): (lexical(score), lexical(overlap), lexical(text), shared)
                 for (x, y), (score, overlap, text, shared) in _pairs(recs, min_score, TOP_K).items()}
        new_digest = table_digest(table)
        _write(store, graph, table, new_digest, memory, _Writer(minter))
    _MEMORY.put(store, {"method": method, "versions": versions, "digest": new_digest, "links": table, "recs": rows})
    return len(table)


def _write(store, graph: ox.NamedNode, table: dict, new_digest: str, memory: dict | None, writer: _Writer) -> None:
    """Bring the graph from what ``memory`` says it holds to ``table``: only the triples that differ."""
    if memory is None:
        write_graph(store, graph, _graph_triples(table, writer), new_digest)
        return
    if new_digest == memory["digest"]:
        return
    old = memory["links"]
    gone, came = {digest_triple(graph, memory["digest"])}, {digest_triple(graph, new_digest)}
    for key in {k for k, row in old.items() if table.get(k) != row} | {k for k, row in table.items()
                                                                       if old.get(k) != row}:
        before = set(writer.triples(*key, old[key])) if key in old else set()
        after = set(writer.triples(*key, table[key])) if key in table else set()
        gone |= before - after
        came |= after - before
    write_difference(store, graph, gone, came)


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
