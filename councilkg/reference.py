"""Reference data: English councils and national bodies, and resolvers for the ways they are written.

The data lives in ``data/reference/councils.csv`` and ``organisations.csv`` (installed as the package
``councilkg.reference``); each file's ``#`` header names its source and date. Both are read once.

Names are compared by a normalised key (:func:`normalise`): case-insensitive, curly and straight
apostrophes alike (and then dropped, so "King's Lynn" = "Kings Lynn"), "&" read as "and", punctuation
and runs of white space reduced to single spaces, leading "the" dropped.

>>> resolve_council("LB Bromley").name
'London Borough of Bromley'
>>> resolve_council("Kensington and Chelsea Council").gss
'E09000020'
>>> resolve_council("the London Borough of Barnet Council").gss
'E09000003'
>>> resolve_organisation("DLUHC").name
'Ministry of Housing, Communities and Local Government'
>>> [(c.gss, s, e) for c, s, e in find_councils("Peers from LB Bromley and Cornwall Council.")]
[('E09000006', 11, 21), ('E06000052', 26, 42)]
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from councilkg.errors import CouncilKGError

__all__ = [
    "Council",
    "Organisation",
    "normalise",
    "councils",
    "organisations",
    "council_by_gss",
    "resolve_council",
    "resolve_organisation",
    "find_councils",
    "find_organisations",
]

# --- patterns ---------------------------------------------------------------------------------
# A word: letters/digits, possibly joined by apostrophes ("King's"); "&" is a word of its own.
_TOKEN = re.compile(r"[^\W_]+(?:['’‘`][^\W_]+)*|&")
_APOSTROPHE = re.compile(r"['’‘`]")
# A GSS code once normalised (lower case).
_GSS_KEY = re.compile(r"^[ensw]\d{8}$")
# Words that make a bare place name read as a council when near it (find_councils).
_COUNCIL_CONTEXT = re.compile(
    r"\b(?:councils?|borough|local authorit(?:y|ies)|authorit(?:y|ies)|councillors?|cllrs?|"
    r"mayor|corporation|unitary)\b",
    re.IGNORECASE,
)
# Where a sentence ends, so that context is not looked for beyond it.
_SENTENCE_END = re.compile(r"[.!?;]\s|\n\s*\n")
_CONTEXT_WINDOW = 60
# Generic council words stripped by the fallback, as token tuples, longest first.
_PREFIXES = tuple(
    tuple(p.split())
    for p in (
        "the council of the",
        "council of the",
        "london borough of",
        "royal borough of",
        "metropolitan borough of",
        "borough council of",
        "borough of",
        "lb",
        "rb",
    )
)
_SUFFIXES = tuple(
    sorted(
        (
            tuple(s.split())
            for s in (
                "metropolitan borough council",
                "metropolitan district council",
                "metropolitan borough",
                "metropolitan district",
                "london borough council",
                "london borough",
                "royal borough council",
                "city and district council",
                "borough council",
                "city council",
                "county council",
                "district council",
                "unitary authority",
                "council",
                "mbc",
                "mdc",
                "borough",
                "district",
                "city of",
                "county of",
            )
        ),
        key=len,
        reverse=True,
    )
)
# Words that make a name a council's name rather than a bare place name.
_COUNCIL_WORDS = frozenset(
    {"council", "borough", "county", "district", "city", "corporation", "authority", "metropolitan",
     "royal", "lb", "rb", "mbc", "mdc", "ca"}
)
# Lower-case words allowed inside a capitalised place name ("Kingston upon Thames").
_LINK_WORDS = frozenset({"and", "of", "upon", "on", "under", "in", "with", "the", "le", "by", "for", "&"})


# --- model ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Council:
    """An English principal council (or combined authority) from ``councils.csv``."""

    gss: str
    name: str
    type: str
    wikidata: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    """A national body or common partner from ``organisations.csv``."""

    name: str
    type: str
    wikidata: str | None
    names: tuple[str, ...]

    @property
    def canonical(self) -> str:
        return self.name


# --- normalising ------------------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    """The normalised words of ``text`` (case-folded first, so that the result is stable)."""
    return ["and" if t == "&" else _APOSTROPHE.sub("", t) for t in _TOKEN.findall(text.casefold())]


def _token(word: str) -> str:
    """Normalise one word found by ``_TOKEN`` in the original text."""
    return "and" if word == "&" else _APOSTROPHE.sub("", word.casefold())


def normalise(text: str) -> str:
    """The comparison key of a name.

    >>> normalise("  The London Borough of  Hammersmith & Fulham’s.")
    'london borough of hammersmith and fulhams'
    >>> normalise(normalise("The the LB  Camden!")) == normalise("The the LB  Camden!")
    True
    """
    toks = _tokens(text)
    while toks and toks[0] == "the":
        toks.pop(0)
    return " ".join(toks)


def _strip_generic(toks: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Remove generic council prefixes and suffixes; return the rest and the words removed."""
    removed: set[str] = set()
    changed = True
    while changed and toks:
        changed = False
        for pre in _PREFIXES:
            if len(toks) > len(pre) and toks[: len(pre)] == pre:
                toks, changed = toks[len(pre) :], True
                removed.update(pre)
                break
        for suf in _SUFFIXES:
            if len(toks) > len(suf) and toks[-len(suf) :] == suf:
                toks, changed = toks[: -len(suf)], True
                removed.update(suf)
                break
    return toks, frozenset(removed)


# --- loading ----------------------------------------------------------------------------------
def _reference_dir():
    """The folder holding the CSVs (``data/reference``, installed as ``councilkg.reference_data``)."""
    return files("councilkg.reference_data")


def _read_csv(name: str) -> list[dict[str, str]]:
    path = _reference_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CouncilKGError(
            f"{path}: reference data missing or unreadable ({exc.strerror}); "
            "reinstall councilkg (pip install -e .) so that data/reference is included"
        ) from exc
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split("|") if v.strip()]


@cache
def councils() -> tuple[Council, ...]:
    """Every council in ``councils.csv``, in file order."""
    return tuple(
        Council(
            gss=row["gss"].strip(),
            name=row["name"].strip(),
            type=row["type"].strip(),
            wikidata=row["wikidata"].strip() or None,
            names=(row["name"].strip(), *_split(row["common_names"])),
        )
        for row in _read_csv("councils.csv")
    )


@cache
def organisations() -> tuple[Organisation, ...]:
    """Every organisation in ``organisations.csv``, in file order."""
    return tuple(
        Organisation(
            name=row["canonical"].strip(),
            type=row["type"].strip(),
            wikidata=row["wikidata"].strip() or None,
            names=(row["canonical"].strip(), *_split(row["variants"])),
        )
        for row in _read_csv("organisations.csv")
    )


@cache
def council_by_gss() -> dict[str, Council]:
    """Councils keyed by GSS code."""
    return {c.gss: c for c in councils()}


def _exact_index(entities) -> dict[str, object]:
    """Normalised name -> entity; a key claimed by two entities maps to None (ambiguous)."""
    index: dict[str, object] = {}
    for entity in entities:
        for name in entity.names:
            key = normalise(name)
            if key and index.get(key, entity) is not entity:
                index[key] = None
            elif key:
                index[key] = entity
    return index


@cache
def _council_index() -> dict[str, Council | None]:
    return _exact_index(councils())


@cache
def _organisation_index() -> dict[str, Organisation | None]:
    return _exact_index(organisations())


@cache
def _place_index() -> dict[tuple[str, ...], frozenset[Council]]:
    """Bare place name (generic words stripped from every known name) -> councils it may mean."""
    places: dict[tuple[str, ...], set[Council]] = defaultdict(set)
    for council in councils():
        for name in council.names:
            place = _strip_generic(tuple(normalise(name).split()))[0]
            if not set(place) <= _COUNCIL_WORDS:  # "the City" is a name, not a place
                places[place].add(council)
    return {k: frozenset(v) for k, v in places.items()}


# --- resolving --------------------------------------------------------------------------------
def resolve_council(text: str) -> Council | None:
    """The council a name (or GSS code) denotes, or None when unknown or ambiguous.

    Known names and variants match exactly (after :func:`normalise`). Other forms fall back on the
    bare place name: generic words ("Council", "Borough Council", "London Borough of", ...) are
    stripped and the rest is looked up among the place names of all councils; a place that could be
    more than one council resolves only if the stripped words single one out.

    >>> resolve_council("Durham").name
    'Durham County Council'
    >>> resolve_council("Royal Borough of Greenwich Borough Council").gss
    'E09000011'
    >>> resolve_council("Gotham City Council") is None
    True
    """
    key = normalise(text)
    if not key:
        return None
    if _GSS_KEY.match(key):
        return council_by_gss().get(key.upper())
    council = _council_index().get(key)
    if council is not None:
        return council
    toks = tuple(key.split())
    for candidate in (toks, _drop_possessive(toks)):
        if candidate is None:
            continue
        found = _council_index().get(" ".join(candidate))
        if found is not None:
            return found
        found = _resolve_place(candidate)
        if found is not None:
            return found
    return None


def _drop_possessive(toks: tuple[str, ...]) -> tuple[str, ...] | None:
    """``("camdens",)`` -> ``("camden",)``: a possessive whose apostrophe normalising removed."""
    if toks and len(toks[-1]) > 3 and toks[-1].endswith("s"):
        return (*toks[:-1], toks[-1][:-1])
    return None


def _resolve_place(toks: tuple[str, ...]) -> Council | None:
    place, removed = _strip_generic(toks)
    candidates = _place_index().get(place)
    if not candidates:
        return None
    if len(candidates) == 1:
        return next(iter(candidates))
    # Several councils share the place: keep those whose own name carries the words removed.
    hinted = [c for c in candidates if removed and removed <= set(normalise(c.name).split())]
    return hinted[0] if len(hinted) == 1 else None


def resolve_organisation(text: str) -> Organisation | None:
    """The national body or partner a name denotes, or None.

    "Name (ACRONYM)" is tried whole, then each part.

    >>> resolve_organisation("the Local Government Association (LGA)").name
    'Local Government Association'
    >>> resolve_organisation("Medical Health and Regulatory Agency").name
    'Medicines and Healthcare products Regulatory Agency'
    """
    index = _organisation_index()
    key = normalise(text)
    if not key:
        return None
    found = index.get(key)
    if found is not None:
        return found
    if "(" in text and ")" in text:
        outer = text[: text.index("(")] + text[text.rindex(")") + 1 :]
        inner = text[text.index("(") + 1 : text.rindex(")")]
        for part in (outer, inner):
            found = index.get(normalise(part))
            if found is not None:
                return found
    dropped = _drop_possessive(tuple(key.split()))
    return index.get(" ".join(dropped)) if dropped else None


# --- finding in free text ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Pattern:
    tokens: tuple[str, ...]
    entity: object
    bare: bool  # a place name without council words: needs context or bare=True
    acronym: bool  # written in capitals in the data: must be in capitals in the text


def _council_is_bare(toks: tuple[str, ...]) -> bool:
    """A place name with no council word, or a lone council word ("the City")."""
    return not set(toks) & _COUNCIL_WORDS or len(toks) == 1


def _organisation_is_bare(toks: tuple[str, ...]) -> bool:
    """One word ("Treasury", "Healthwatch") could be an ordinary word: it must be capitalised."""
    return len(toks) == 1


def _patterns(entities, is_bare) -> dict[str, list[_Pattern]]:
    by_first: dict[str, list[_Pattern]] = defaultdict(list)
    seen: set[tuple[str, ...]] = set()
    index = _exact_index(entities)
    for entity in entities:
        for name in entity.names:
            key = normalise(name)
            toks = tuple(key.split())
            # "Name (ACR)" variants are for resolving; in text the two parts are found one by one.
            if not toks or toks in seen or index.get(key) is not entity or "(" in name:
                continue
            seen.add(toks)
            stripped = name.strip()
            acronym = len(toks) == 1 and stripped.isupper() and stripped.isalnum()
            by_first[toks[0]].append(_Pattern(toks, entity, not acronym and is_bare(toks), acronym))
    for patterns in by_first.values():
        patterns.sort(key=lambda p: len(p.tokens), reverse=True)
    return dict(by_first)


@cache
def _council_patterns() -> dict[str, list[_Pattern]]:
    return _patterns(councils(), _council_is_bare)


@cache
def _organisation_patterns() -> dict[str, list[_Pattern]]:
    return _patterns(organisations(), _organisation_is_bare)


def _capitalised(words: list[str]) -> bool:
    return all(w[:1].isupper() or w[:1].isdigit() or w.casefold() in _LINK_WORDS for w in words) and words[
        0
    ][:1].isupper()


def _has_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - _CONTEXT_WINDOW) : start]
    after = text[end : end + _CONTEXT_WINDOW]
    cut = list(_SENTENCE_END.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    stop = _SENTENCE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return bool(_COUNCIL_CONTEXT.search(before) or _COUNCIL_CONTEXT.search(after))


def _find(text: str, patterns: dict[str, list[_Pattern]], bare: bool) -> list[tuple[object, int, int]]:
    words = list(_TOKEN.finditer(text))
    keys = [_token(m.group()) for m in words]
    candidates: list[tuple[int, int, object]] = []
    for i, key in enumerate(keys):
        for pattern in patterns.get(key, ()):
            n = len(pattern.tokens)
            if tuple(keys[i : i + n]) != pattern.tokens:
                continue
            start, end = words[i].start(), words[i + n - 1].end()
            written = [m.group() for m in words[i : i + n]]
            if pattern.acronym and not written[0].isupper():
                continue
            if pattern.bare and not (_capitalised(written) and (bare or _has_context(text, start, end))):
                continue
            candidates.append((start, end, pattern.entity))
    # Longest first; a shorter match inside or across a longer one is dropped.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[tuple[int, int, object]] = []
    for start, end, entity in candidates:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, entity))
    return [(entity, start, end) for start, end, entity in sorted(chosen, key=lambda c: c[0])]


def find_councils(text: str, bare: bool = False) -> list[tuple[Council, int, int]]:
    """Councils named in free text, as ``(council, start, end)`` character offsets, in text order.

    Longer names win over the shorter ones inside them ("City of London" over "the City"), and
    matches never overlap. A bare place name ("Camden", "Reading") counts only when capitalised
    and, unless ``bare=True``, when a council word (council, borough, authority, councillor, mayor,
    ...) stands within the same sentence near it. Acronyms ("LBH") must be in capitals.

    >>> [c.gss for c, _, _ in find_councils("We met Camden and Newham councils.")]
    ['E09000007', 'E09000025']
    >>> find_councils("Reading the report on Camden Town.")
    []
    """
    return _find(text, _council_patterns(), bare)  # type: ignore[return-value]


def find_organisations(text: str) -> list[tuple[Organisation, int, int]]:
    """National bodies and partners named in free text, as ``(organisation, start, end)``.

    >>> [(o.name, s, e) for o, s, e in find_organisations("The LGA and the DfE met.")]
    [('Local Government Association', 4, 7), ('Department for Education', 16, 19)]
    """
    return _find(text, _organisation_patterns(), True)  # type: ignore[return-value]
