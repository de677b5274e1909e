"""Recognise risks and interventions in text, with the rules kept as data in ``ontology/taxonomy.ttl``.

Each SKOS concept there may carry ``ckg:matchPattern`` regular expressions (a match in a
sentence is evidence), ``ckg:excludePattern`` (a sentence that also matches is not) and
``ckg:datedEvent`` (each dated mention is also an :class:`~councilkg.model.Event`).
Loaders call :func:`recognise`; no loader holds its own list of risk words.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import pyoxigraph as ox

from councilkg.model import ConceptMention, Event, PartialDate
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._text import find_dates

ONTOLOGY = "https://w3id.org/councilkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMES = {"risk": ONTOLOGY + "RiskScheme", "intervention": ONTOLOGY + "InterventionScheme"}

# A sentence: up to a full stop, question mark or exclamation mark followed by white space
# (so "6.2", "61.29%" and "e.g.," stay inside), or a line end. (Runs of ordinary characters are
# taken at once, "[^\n.?!]+", rather than one a repetition: the same matches, since the ending
# always matches where the repetition stops, four times faster.)
SENTENCE = re.compile(r"(?:[^\n.?!]+|[.?!]+(?=[^\s.?!]))*(?:[.?!]+|\n|$)")
# An inspection judgement in quotes, or after "judgement of" / "rated".
JUDGEMENT = re.compile(
    r"(?:judgement of|rated|judged(?: to be)?|found to be)?\s*[‘'\"“]?"
    r"(?P<j>outstanding|good|requires improvement|inadequate)[’'\"”]?",
    re.I,
)
# "/24" after a year: a financial year, not the date of an event.
FINANCIAL_YEAR_TAIL = re.compile(r"\s?[/-]\s?\d{2}\b")
MAX_EVIDENCE = 6
MAX_QUOTE_WORDS = 40


@dataclass(frozen=True)
class ConceptRule:
    scheme: str  # "risk" or "intervention"
    notation: str
    label: str
    # Match patterns run over the whole text, so each skips a text without a literal it needs.
    patterns: tuple[Prefiltered, ...]
    excludes: tuple[re.Pattern, ...]
    dated_event: bool
    judged: bool = False


@cache
def rules() -> tuple[ConceptRule, ...]:
    """Every concept with match patterns, read once from the taxonomy."""
    data = files("councilkg.ontology").joinpath("taxonomy.ttl").read_bytes()
    store = ox.Store()
    store.load(data, ox.RdfFormat.TURTLE)
    query = f"""
        PREFIX skos: <{SKOS}> PREFIX ckg: <{ONTOLOGY}>
        SELECT ?scheme ?notation ?label
               (GROUP_CONCAT(DISTINCT ?p; separator="\\u0000") AS ?patterns)
               (GROUP_CONCAT(DISTINCT ?x; separator="\\u0000") AS ?excludes)
               (SAMPLE(?d) AS ?dated) (SAMPLE(?j) AS ?judged)
        WHERE {{
          ?c skos:inScheme ?scheme ; skos:notation ?notation ; skos:prefLabel ?label ; ckg:matchPattern ?p .
          OPTIONAL {{ ?c ckg:excludePattern ?x }}
          OPTIONAL {{ ?c ckg:datedEvent ?d }}
          OPTIONAL {{ ?c ckg:judged ?j }}
        }} GROUP BY ?scheme ?notation ?label ORDER BY ?notation"""
    by_iri = {iri: name for name, iri in SCHEMES.items()}
    out = []
    for row in store.query(query):
        split = lambda term: tuple(  # noqa: E731
            re.compile(p, re.I) for p in (term.value.split("\u0000") if term and term.value else [])
        )
        out.append(
            ConceptRule(
                scheme=by_iri[row["scheme"].value],
                notation=row["notation"].value,
                label=row["label"].value,
                patterns=tuple(Prefiltered(p) for p in split(row["patterns"])),
                excludes=split(row["excludes"]),
                dated_event=bool(row["dated"] and row["dated"].value == "true"),
                judged=bool(row["judged"] and row["judged"].value == "true"),
            )
        )
    return tuple(out)


@cache
def concept_schemes() -> dict[str, str]:
    """Every concept notation in the taxonomy and its scheme ("risk" or "intervention")."""
    store = ox.Store()
    store.load(files("councilkg.ontology").joinpath("taxonomy.ttl").read_bytes(), ox.RdfFormat.TURTLE)
    by_iri = {iri: name for name, iri in SCHEMES.items()}
    rows = store.query(f"SELECT ?n ?s WHERE {{ ?c <{SKOS}inScheme> ?s ; <{SKOS}notation> ?n }}")
    return {row["n"].value: by_iri[row["s"].value] for row in rows if row["s"].value in by_iri}


def sentences(text: str):
    """``(start, end)`` of each non-empty sentence of ``text``."""
    for m in SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        chunk = text[start:end]
        if chunk.strip():
            yield start + len(chunk) - len(chunk.lstrip()), start + len(chunk.rstrip())


@lru_cache(maxsize=4)
def _sentence_index(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """The sentences of ``text`` and their starts, computed once for both schemes (keyed on the text's value)."""
    bounds = tuple(sentences(text))
    return bounds, tuple(b[0] for b in bounds)


def _clip(text: str, start: int, end: int, hit_start: int, hit_end: int) -> tuple[int, int]:
    """Narrow a long sentence to about MAX_QUOTE_WORDS words around the hit."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) <= MAX_QUOTE_WORDS:
        return start, end
    centre = next((i for i, w in enumerate(words) if start + w.end() > hit_start), 0)
    lo = max(0, centre - MAX_QUOTE_WORDS // 2)
    hi = min(len(words), lo + MAX_QUOTE_WORDS)
    lo = max(0, hi - MAX_QUOTE_WORDS)
    return start + words[lo].start(), start + words[hi - 1].end()


def recognise(document, scheme: str) -> tuple[list[ConceptMention], list[Event]]:
    """Mentions of the scheme's concepts in ``document`` (one per notation), and dated events.

    Each pattern runs once over the whole text; its hits are placed in sentences, and only
    the sentences with a hit are checked against the rule's exclusions.
    """
    text = document.text
    bounds, starts = _sentence_index(text)
    # (sentence index, rule position, hit start, hit end), in text order
    hits: list[tuple[int, int, int, int]] = []
    scheme_rules = [rule for rule in rules() if rule.scheme == scheme]
    for r, rule in enumerate(scheme_rules):
        first_in_sentence: dict[int, tuple[int, int]] = {}
        for pattern in rule.patterns:
            for m in pattern.finditer(text):
                i = bisect.bisect_right(starts, m.start()) - 1
                if i < 0 or m.end() > bounds[i][1]:
                    continue  # a match across a sentence boundary is not a match in a sentence
                if i not in first_in_sentence:
                    first_in_sentence[i] = (m.start(), m.end())
        hits.extend((i, r, a, b) for i, (a, b) in first_in_sentence.items())
    mentions: dict[str, ConceptMention] = {}
    events: list[Event] = []
    seen_events: set[tuple[str, str, int]] = set()
    for i, r, h_start, h_end in sorted(hits):
        rule = scheme_rules[r]
        s_start, s_end = bounds[i]
        sentence = text[s_start:s_end]
        if any(x.search(sentence) for x in rule.excludes):
            continue
        q_start, q_end = _clip(text, s_start, s_end, h_start, h_end)
        span = document.span(q_start, q_end)
        mention = mentions.get(rule.notation)
        if mention is None:
            mention = ConceptMention(scheme, rule.notation, span)
            if scheme == "intervention":
                mention.date = _nearest_date(sentence, h_start - s_start)
                judgement = JUDGEMENT.search(sentence) if rule.judged else None
                mention.outcome = judgement.group("j") if judgement else None
            mentions[rule.notation] = mention
        elif len(mention.more_evidence) < MAX_EVIDENCE and span != mention.evidence:
            mention.more_evidence.append(span)
        if rule.dated_event:
            for date, d_start, d_end in _years_near(sentence, h_start - s_start, h_end - s_start):
                key = (rule.notation, date.iso(), s_start)
                if key not in seen_events:
                    seen_events.add(key)
                    events.append(Event(rule.label, date, span, rule.notation))
    return list(mentions.values()), events


def _nearest_date(sentence: str, at: int) -> PartialDate | None:
    dates = find_dates(sentence)
    if not dates:
        return None
    return min(dates, key=lambda d: abs(d.start - at)).date


def _years_near(sentence: str, hit_start: int, hit_end: int, reach: int = 60):
    """The date (with a year) nearest a hit, within ``reach`` characters; financial years ("2023/24") aside.

    One date per mention: "delays after the cyber-attack in 2020 ... for 2023/24" dates
    the attack 2020, not 2023 as well.
    """
    candidates = []
    for d in find_dates(sentence, years=True):
        if FINANCIAL_YEAR_TAIL.match(sentence, d.end):
            continue
        distance = d.start - hit_end if d.start >= hit_end else hit_start - d.end
        if distance <= reach:
            candidates.append((max(distance, 0), d))
    if candidates:
        _, d = min(candidates, key=lambda c: c[0])
        yield d.date, d.start, d.end
