"""Assign themes to recommendations with weighted keyword rules kept as data in ``ontology/themes.ttl``.

Each theme of ``ckg:ThemeScheme`` lists ``ckg:ThemeRule`` resources: a regular expression
(``ckg:rulePattern``) and a weight (``ckg:ruleWeight``). A recommendation's raw score for
a theme is the sum of the weights of its rules that match the short title or the full
text; each rule counts once, and a match in the short title counts ``TITLE_BOOST`` times.
The top theme is always assigned; a further theme is assigned when its raw score is at
least ``MIN_RAW`` and at least ``SECONDARY_SHARE`` of the top one. The score recorded in
the graph is ``1 - exp(-raw / SCORE_SCALE)``, between 0 and 1.

When no rule matches, the fallback gives the one theme whose label and definition share
the most content words with the recommendation (method ``definition-overlap``), so that
a recommendation gets a theme whenever its words say anything the scheme describes.

Keyword rules were measured against sentence embeddings (all-MiniLM-L6-v2) on a
hand-labelled list (``tests/fixtures/theme_labels.json``); see ``benchmarks/themes_eval.py``
and the "Themes" section of the README.

>>> [t.notation for t in assign("Medium-Term Financial Strategy (MTFS)", "Develop a MTFS.")]
['finance-and-reserves']
>>> top = assign("Performance management", "Enhance the existing performance framework.")[0]
>>> top.notation, top.methods
('performance-management', ('keyword:performance', 'keyword:performance-framework'))
>>> assign("Street lighting", "Replace the lamps in residential streets.")[0].methods
('definition-overlap',)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

import pyoxigraph as ox

from councilkg.model import Recommendation
from councilkg.namespaces import CKG, THEME_NS

THEMES_FILE = "themes.ttl"
#: A rule that matches the short title adds its weight times this (titles name the topic).
TITLE_BOOST = 1.5
#: A theme besides the top one needs at least this raw score ...
MIN_RAW = 1.5
#: ... and at least this share of the top theme's raw score.
SECONDARY_SHARE = 0.5
#: The raw score at which the recorded score reaches 1 - 1/e.
SCORE_SCALE = 3.0
#: The method prefix recorded for keyword rules ("keyword:<rule name>").
KEYWORD_METHOD = "keyword"
#: The method recorded for the fallback when no rule matches.
OVERLAP_METHOD = "definition-overlap"
#: A word, for the fallback's word overlap.
WORD = re.compile(r"[a-z]+")
#: Words compared by their first letters only (a crude stem: "financial" ~ "finance").
STEM_LENGTH = 6
#: Words too common to tell themes apart.
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their this to was were "
    "with which who will should would can could may must also other others such than then there these those "
    "council councils ensure develop review consider work working approach new more all any how".split()
)


@dataclass(frozen=True)
class ThemeRule:
    name: str
    iri: str
    pattern: re.Pattern
    weight: float


@dataclass(frozen=True)
class Theme:
    notation: str
    iri: str
    label: str
    definition: str
    rules: tuple[ThemeRule, ...]


@dataclass(frozen=True)
class ThemeScore:
    """One theme assigned to one recommendation."""

    notation: str
    iri: str
    score: Decimal  # 0..1
    raw: float
    rank: int  # 1 = the main theme
    rules: tuple[ThemeRule, ...]
    fallback: bool = False  # assigned by word overlap with the theme's definition, no rule matched

    @property
    def methods(self) -> tuple[str, ...]:
        if self.fallback:
            return (OVERLAP_METHOD,)
        return tuple(sorted(f"{KEYWORD_METHOD}:{r.name}" for r in self.rules))


@cache
def scheme() -> tuple[Theme, ...]:
    """Every theme of the scheme with its rules, read once from ``ontology/themes.ttl``."""
    store = ox.Store()
    store.load(files("councilkg.ontology").joinpath(THEMES_FILE).read_bytes(), ox.RdfFormat.TURTLE)
    query = f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?theme ?notation ?label ?definition ?rule ?name ?pattern ?weight WHERE {{
          ?theme skos:inScheme <{CKG.ThemeScheme}> ; skos:notation ?notation ; skos:prefLabel ?label ;
                 skos:definition ?definition .
          OPTIONAL {{ ?theme <{CKG.themeRule}> ?rule . ?rule rdfs:label ?name ; <{CKG.rulePattern}> ?pattern ;
                                                             <{CKG.ruleWeight}> ?weight }}
        }} ORDER BY ?notation ?name"""
    themes: dict[str, dict] = {}
    for row in store.query(query):
        entry = themes.setdefault(row["notation"].value, {
            "iri": row["theme"].value, "label": row["label"].value, "definition": row["definition"].value, "rules": [],
        })
        if row["rule"] is not None:
            try:
                pattern = re.compile(row["pattern"].value, re.I)
            except re.error as e:
                raise ValueError(f"{THEMES_FILE}: rule {row['name'].value} has a bad pattern: {e}") from e
            entry["rules"].append(ThemeRule(row["name"].value, row["rule"].value, pattern, float(row["weight"].value)))
    return tuple(
        Theme(notation, e["iri"], e["label"], e["definition"], tuple(e["rules"])) for notation, e in themes.items()
    )


def theme_iri(notation: str) -> str:
    return THEME_NS + notation


def keyword_raw_scores(title: str, text: str | None = None) -> dict[str, tuple[float, tuple[ThemeRule, ...]]]:
    """Raw keyword score and fired rules per theme (themes with no fired rule left out)."""
    title = title or ""
    body = text or ""
    out = {}
    for theme in scheme():
        raw, fired = 0.0, []
        for rule in theme.rules:
            if rule.pattern.search(title):
                raw += rule.weight * TITLE_BOOST
            elif rule.pattern.search(body):
                raw += rule.weight
            else:
                continue
            fired.append(rule)
        if fired:
            out[theme.notation] = (raw, tuple(fired))
    return out


def select(raw_scores: dict[str, float]) -> list[tuple[str, float]]:
    """The themes to assign from raw scores: the top one, and those close enough to it; best first."""
    ranked = sorted(((n, s) for n, s in raw_scores.items() if s > 0), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return []
    top = ranked[0][1]
    return [ranked[0]] + [(n, s) for n, s in ranked[1:] if s >= MIN_RAW and s >= SECONDARY_SHARE * top]


def score_of(raw: float) -> Decimal:
    # Capped below 1 so the literal stays an xsd:decimal with a fraction.
    return Decimal(str(min(0.999, max(0.001, round(1 - math.exp(-raw / SCORE_SCALE), 3)))))


def stems(text: str) -> set[str]:
    """Content-word stems of ``text``."""
    return {w[:STEM_LENGTH] for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


def definition_overlap(title: str, text: str | None = None) -> tuple[str, int] | None:
    """The theme whose label and definition share most content words with the text, and how many."""
    words = stems(f"{title or ''} {text or ''}")
    ranked = sorted((-len(words & stems(f"{t.label} {t.definition}")), t.notation) for t in scheme())
    if not ranked or ranked[0][0] == 0:
        return None
    return ranked[0][1], -ranked[0][0]


def assign(title: str, text: str | None = None) -> list[ThemeScore]:
    """The themes of a recommendation, best first (empty only when no word relates to any theme)."""
    raw = keyword_raw_scores(title, text)
    chosen = select({n: s for n, (s, _) in raw.items()})
    if not chosen:
        found = definition_overlap(title, text)
        if found is None:
            return []
        notation, shared = found
        # A word or two in common is weak evidence: scored as a raw score of half a point per word.
        return [ThemeScore(notation, theme_iri(notation), score_of(0.5 * shared), 0.5 * shared, 1, (), True)]
    return [
        ThemeScore(notation, theme_iri(notation), score_of(s), s, rank, raw[notation][1])
        for rank, (notation, s) in enumerate(chosen, start=1)
    ]


def assign_recommendation(rec: Recommendation) -> list[ThemeScore]:
    return assign(rec.title, rec.text)


def add_to_graph(g, node: ox.NamedNode, rec: Recommendation) -> None:
    """Add ``rec``'s themes to a document graph: ``ckg:theme`` and one ``ckg:ThemeAssignment`` per theme.

    ``g`` is the :class:`councilkg.rdf.DocumentGraph` being built and ``node`` the
    recommendation; each assignment hangs under it (``.../recommendation/7/theme/assets``)
    and carries the recommendation's evidence.
    """
    from councilkg.iri import Minter  # the one place IRIs are minted

    for assigned in assign_recommendation(rec):
        theme = ox.NamedNode(assigned.iri)
        assignment = Minter.under(node, "theme", assigned.notation)
        g.a(assignment, CKG.ThemeAssignment)
        g.evidence(assignment, rec.evidence)
        g.add(assignment, CKG.assignedTheme, theme)
        g.add(assignment, CKG.themeScore, assigned.score)
        g.add(assignment, CKG.themeRank, assigned.rank)
        for method in assigned.methods:
            g.add(assignment, CKG.method, method)
        for rule in assigned.rules:
            g.add(assignment, CKG.firedRule, ox.NamedNode(rule.iri))
        g.add(node, CKG.theme, theme)
        g.add(node, CKG.themeAssignment, assignment)
