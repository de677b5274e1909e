"""Recommendations in peer-challenge documents: listed lines, themes, and the peers' findings.

Structure relied on:

* a recommendation is a line that opens (after any bullet) with ``Recommendation N``
  (or ``Rec N`` / ``RN``) and a separator (``:``, ``–``, ``-``, ``.``), or a numbered line
  ``N. ...`` / ``N) ...`` inside a run of numbered lines introduced by a line that
  mentions recommendations;
* the rest of the line is ``short title: full text`` or ``short title – full text``;
  the earliest separator wins, unless the words before it end in "e.g."/"i.e.";
* a ``Theme: X`` line groups the recommendations listed after it;
* a recommendation may be listed twice (a summary list, then a themed list): one
  recommendation, the first title wins and later wordings are variants;
* findings are the paragraphs after a listing, up to the next listing or heading.
  After a single recommendation they all belong to it; after a group of several,
  paragraphs are aligned in order to the group's recommendations by shared words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from councilkg.loaders._literals import Prefiltered
from councilkg.model import Finding, Recommendation

# --- patterns -------------------------------------------------------------------
BULLET_PREFIX = r"^\s*(?:[•·▪◦●*\-–]\s*)?"
# "Recommendation 4: ...", "• Recommendation 4 – ...", "Rec 4. ...", "R4 - ...".
REC_LINE = re.compile(
    BULLET_PREFIX + r"(?:Recommendation|Rec\.?|R)\s*(?P<num>\d{1,2})\s*(?:[:.–—]|\s-)\s*(?P<body>\S.*)$", re.I
)
BULLET_START = re.compile(r"^[•·▪◦●*\-–]")
# "4. ..." or "4) ..." inside a list introduced by a recommendations line.
NUMBERED_LINE = re.compile(r"^\s*(?P<num>\d{1,2})[.)]\s+(?P<body>\S.*)$")
# A line that introduces a list of recommendations.
REC_LIST_INTRO = re.compile(r"\brecommendations?\b", re.I)
# "Theme: Delivering for residents".
THEME_LINE = re.compile(r"^\s*Theme\s*[:–—-]\s*(?P<theme>\S.*?)\s*$", re.I)
# A numbered section heading ("3. Progress Review – Feedback").
SECTION_HEADING = re.compile(r"^\s*\d{1,2}\.?\s+[A-Z][^.!?]{0,80}$")
# Separators between a short title and the full text.
TITLE_SEPARATOR = re.compile(r":\s+(?=[A-Z‘'\"“(])|\s*[–—]\s+|\s+-\s+")
ABBREVIATION_END = re.compile(r"\b(?:e\.g|i\.e|etc|viz)\.?$", re.I)
QUOTED = re.compile(r"^[‘'\"“](?P<inner>.+?)[’'\"”]$")
WORD = re.compile(r"[a-z][a-z’'-]{3,}")
# A sentence: a full stop inside "£3.2m" or after "e.g." does not end it.
SENTENCE = re.compile(r"(?:\b(?:e\.g|i\.e|approx|no)\.|[^.!?\n]|[.!?](?=[\w’”)]))+(?:[.!?]+|$)", re.I | re.M)
CLAUSE = re.compile(r"[^,;]+")
# Wording of the peers' view of progress, strongest first.
VIEW_CUES = tuple(Prefiltered(cue) for cue in (
    re.compile(r"\b(?:has not|have not|had not|not yet)\s+(?:been\s+)?progress\w*|little progress|limited progress", re.I),
    re.compile(r"\b(?:challenges?|issues?|concerns?) remains?|remain concerned|slower than expected|insufficient", re.I),
    re.compile(r"\b(?:significant|strong|good|tangible|positive|some|clear|meaningful)\s+(?:\w+\s+)?(?:progress|steps|impact)",
               re.I),
    re.compile(r"\b(?:further|more) work (?:is|was) (?:needed|required)|needs? to be|more to be done|more to do|"
               r"(?:further|more|some) scope\b|more could be done", re.I),
    re.compile(r"\b(?:improved|strengthened|streamlined|accelerated|welcomed|embedded|resolved|published)\b", re.I),
))
# The council's own rating of one recommendation.
RATED_TOPIC = re.compile(
    r"\brecommendation\s+(?:on|for|about|relating to|regarding)\s+(?:the\s+)?(?P<topic>[^.;,]{3,80}?)\s+"
    r"(?:was|were|is|had been|has been)\s+(?:RAG\s+)?rated\s+[‘'\"“]?(?P<rating>green|amber|red)\b[’'\"”]?",
    re.I,
)
RATED_NUMBER = re.compile(
    r"\brecommendation\s+(?P<num>\d{1,2})\s+(?:was|is|had been|has been)\s+(?:RAG\s+)?rated\s+[‘'\"“]?"
    r"(?P<rating>green|amber|red)\b[’'\"”]?",
    re.I,
)
STOPWORDS = frozenset(
    "this that with from have been were which their there these those into than then they them what when where "
    "will would should could also such more most some other over only very well being made make across ensure "
    "council peer peers team review recommendation recommendations".split()
)
MIN_SCORE = 1.0
ADJACENT_SCORE = 1000.0  # paragraphs right after a single recommendation are its findings
MIN_NUMBERED_WORDS = 6  # a numbered line shorter than this is a section heading


@dataclass
class Listing:
    """One line that lists a recommendation."""

    number: int
    title: str
    title_as_written: str
    text: str | None
    theme: str | None
    start: int
    end: int


@dataclass
class Block:
    listings: list[Listing]
    paragraphs: list[tuple[int, int]] = field(default_factory=list)


def split_title(body: str) -> tuple[str, str | None, str]:
    """``(title, text, title as written)`` of a recommendation line's body."""
    for m in TITLE_SEPARATOR.finditer(body):
        head = body[: m.start()].strip()
        if head and not ABBREVIATION_END.search(head):
            written = head
            quoted = QUOTED.match(head)
            return (quoted.group("inner") if quoted else head), body[m.end():].strip() or None, written
    body = body.strip()
    return body, None, body


def _is_heading(line: str) -> bool:
    """A short line without sentence punctuation: a sub-heading."""
    stripped = line.strip()
    return bool(SECTION_HEADING.match(stripped)) or (
        len(stripped.split()) <= 8 and stripped[:1].isupper() and not stripped.endswith((".", ":", ";", ","))
        and not BULLET_START.match(stripped)
    )


def find_listings(text: str, lines: list[tuple[int, int]]) -> list[Block]:
    """Blocks of listed recommendations, each with the paragraphs that follow it.

    ``lines`` are the ``(start, end)`` offsets of the non-empty lines of ``text``.
    """
    blocks: list[Block] = []
    theme: str | None = None
    numbered, expected = False, 1
    current: Block | None = None  # the block collecting findings
    in_run = False  # the previous line listed a recommendation
    for start, end in lines:
        line = text[start:end]
        themed = THEME_LINE.match(line)
        if themed:
            theme, current, in_run = themed.group("theme").strip(), None, False
            continue
        m = REC_LINE.match(line)
        if m is None and numbered:
            m = NUMBERED_LINE.match(line)
            if m and (int(m.group("num")) != expected or len(m.group("body").split()) < MIN_NUMBERED_WORDS):
                m = None
        if m:
            number = int(m.group("num"))
            title, rec_text, written = split_title(m.group("body"))
            listing = Listing(number, title, written, rec_text, theme, start, end)
            if in_run and current is not None:
                current.listings.append(listing)
            else:
                current = Block([listing])
                blocks.append(current)
            in_run, expected = True, number + 1
            continue
        in_run = False
        if REC_LIST_INTRO.search(line) and (line.rstrip().endswith(":") or _is_heading(line)):
            numbered, expected, current = True, 1, None
            continue
        if SECTION_HEADING.match(line):
            theme, numbered = None, False
        if _is_heading(line):
            current = None
        elif current is not None:
            current.paragraphs.append((start, end))
    return blocks


def _stems(text: str) -> set[str]:
    return {w[:6] for w in WORD.findall(text.lower()) if w not in STOPWORDS}


def _align(text: str, block: Block) -> dict[int, tuple[list[tuple[int, int]], float]]:
    """Paragraphs of a block assigned in order to its recommendations by shared words, with a score."""
    listings, paras = block.listings, block.paragraphs
    if len(listings) == 1:
        return {0: (list(paras), ADJACENT_SCORE)} if paras else {}
    rec_stems = [_stems(f"{x.title} {x.text or ''}") for x in listings]
    df: dict[str, int] = {}
    for stems in rec_stems:
        for s in stems:
            df[s] = df.get(s, 0) + 1
    m = len(listings)
    idf = {s: math.log(1 + m / n) - math.log(2) + 0.1 for s, n in df.items()}
    # fsum: the exact sum whatever the order of the set (string hashing varies from process to
    # process), so that ties between recommendations break the same way in every run.
    scores = [[math.fsum(idf[s] for s in _stems(text[a:b]) & rec) for rec in rec_stems] for a, b in paras]
    neg = float("-inf")
    # best[i][j]: best total for paragraphs[:i] with every assigned recommendation <= j.
    best = [[0.0] * m for _ in range(len(paras) + 1)]
    choice: list[list[str]] = [[""] * m for _ in range(len(paras) + 1)]
    for i in range(1, len(paras) + 1):
        for j in range(m):
            gain = scores[i - 1][j] - MIN_SCORE if scores[i - 1][j] >= MIN_SCORE else neg
            options = [(best[i - 1][j], "skip"), (best[i - 1][j] + gain, "take")]
            if j:
                options.append((best[i][j - 1], "left"))
            best[i][j], choice[i][j] = max(options, key=lambda o: o[0])
    assigned: list[int | None] = [None] * len(paras)
    i, j = len(paras), m - 1
    while i > 0:
        step = choice[i][j]
        if step == "left":
            j -= 1
            continue
        if step == "take":
            assigned[i - 1] = j
        i -= 1
    out: dict[int, tuple[list[tuple[int, int]], float]] = {}
    current = None
    for i, (para, rec) in enumerate(zip(paras, assigned)):
        current = rec if rec is not None else current
        if current is not None:
            taken, score = out.get(current, ([], 0.0))
            out[current] = ([*taken, para], score + (scores[i][current] if rec is not None else 0.0))
    return out


def _summary(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of a short verbatim phrase giving the peers' view, within ``text[start:end]``."""
    sentences = list(SENTENCE.finditer(text, start, end))
    for cue in VIEW_CUES:
        if cue.cannot_match(text, start, end):
            continue  # a word the cue needs is missing from the whole part
        for s in sentences:
            hit = cue.search(text, s.start(), s.end())
            if not hit:
                continue
            for c in CLAUSE.finditer(text, s.start(), s.end()):
                if c.start() <= hit.start() < c.end():
                    a, b = c.start(), c.end()
                    words = text[a:b].split()
                    if len(words) > 25:
                        a, b = hit.start(), min(b, hit.end() + 80)
                    return a, b
    first = sentences[0] if sentences else None
    return (first.start(), first.end()) if first else (start, end)


def build(document, lines: list[tuple[int, int]]) -> list[Recommendation]:
    """Recommendations (merged across listings) with themes, variants and findings."""
    text = document.text
    blocks = find_listings(text, lines)
    recs: dict[int, Recommendation] = {}
    best_finding: dict[int, tuple[float, Finding]] = {}
    for block in blocks:
        for listing in block.listings:
            rec = recs.get(listing.number)
            if rec is None:
                rec = Recommendation(listing.number, listing.title, document.span(listing.start, listing.end),
                                     text=listing.text, theme=listing.theme)
                if listing.title_as_written != listing.title:
                    rec.title_variants.append(listing.title_as_written)
                recs[listing.number] = rec
                continue
            rec.theme = rec.theme or listing.theme
            rec.text = rec.text or listing.text
            for variant in (listing.title, listing.title_as_written):
                if variant != rec.title and variant not in rec.title_variants:
                    rec.title_variants.append(variant)
        for index, (paras, weight) in _align(text, block).items():
            listing = block.listings[index]
            a, b = paras[0][0], paras[-1][1]
            s_a, s_b = _summary(text, a, b)
            finding = Finding(text[s_a:s_b].strip(" ,;"), document.span(a, b))
            if weight > best_finding.get(listing.number, (0.0, None))[0]:
                best_finding[listing.number] = (weight, finding)
    for number, (_, finding) in best_finding.items():
        recs[number].finding = finding
    _ratings(document, recs)
    return [recs[n] for n in sorted(recs)]


def _ratings(document, recs: dict[int, Recommendation]) -> None:
    """The council's own RAG rating of single recommendations, where the text gives one."""
    text = document.text
    for m in RATED_NUMBER.finditer(text):
        _set_rating(document, recs.get(int(m.group("num"))), m)
    for m in RATED_TOPIC.finditer(text):
        topic = _stems(m.group("topic"))
        scored = sorted(((len(topic & _stems(r.title)), n) for n, r in recs.items()), reverse=True)
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            _set_rating(document, recs[scored[0][1]], m)


def _set_rating(document, rec: Recommendation | None, m: re.Match) -> None:
    if rec is None:
        return
    rating = m.group("rating").lower()
    if rec.finding is None:
        rec.finding = Finding(m.group(0), document.span(m.start(), m.end()), rating)
    else:
        rec.finding.council_rating = rating
