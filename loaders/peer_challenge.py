"""Loader for LGA Corporate Peer Challenge (CPC) feedback reports: the full report, not the progress review.

A CPC report is the peer team's feedback after a visit of several days. The structure relied on
(every part optional; headings may be numbered "2.", "4.1" or marked with markdown ``#``):

* a header before the first numbered section: a title line ("LGA Corporate Peer Challenge",
  "Corporate Peer Challenge – <council>"), a line with the council's name, the dates of the
  on-site visit ("11 – 14 June 2024", "On-site visit: Tuesday 3 – Friday 6 December 2024")
  and "Feedback report";
* "Key recommendations": an introduction, then recommendations numbered 1..N ("1. <title>",
  "2.1 <title>", "Recommendation 1: <title> – <text>"), each a short title (a line, or the
  first sentence) often followed by paragraphs of detail, up to the next section;
* "Summary of the peer challenge approach" with "The peer team" (a line introducing the list,
  then one peer a line, see :mod:`councilkg.loaders._peers`), "Scope and focus" (the five core
  elements) and "The peer challenge process" ("The peers spent 4 days onsite at <council>");
* "Feedback": one sub-section per core element (Local priorities and outcomes; Organisational
  and place leadership; Governance and culture; Financial planning and management; Capacity
  for improvement) and any the council asked for; a recommendation's theme is the
  sub-section that names it ("recommendation 3") or shares the most distinctive words with it;
* "Next steps": the offer of a progress review and the LGA Principal Adviser as the contact
  ("<Name>, Principal Adviser for <region>, is the main contact ...", "The LGA's Principal
  Adviser for <region>, <Name>, ...").

Page furniture, tables of contents and hard line breaks are removed by
:class:`~councilkg.loaders._text.CleanText` before any of this is read; the shared parts
(header, council, peer team, people, organisations, claims) are in
:mod:`councilkg.loaders._peer_report`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from councilkg.errors import DocumentRejected
from councilkg.loaders import Document, Loader
from councilkg.loaders import _money_facts, _peer_report, _peers
from councilkg.loaders._concepts import recognise
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._peer_report import CORE_ELEMENTS, CUE_LGA, CUE_PROGRESS_REVIEW, THANK, TITLE_COUNCIL
from councilkg.loaders._recommendations import split_title
from councilkg.loaders._self_assessment import NUMBER_WORD, number_value
from councilkg.loaders._text import find_dates, sentence_around, squash
from councilkg.model import Event, Extraction, PersonMention, Recommendation

# --- patterns -------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
# Detection: the challenge named anywhere, and in the title (the first few hundred characters).
CUE_PEER_CHALLENGE = Prefiltered(re.compile(r"\b(?:corporate\s+)?peer\s+challenge\b", re.I))
# A markdown heading mark in front of a line ("## 4. Feedback").
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
# "Corporate Peer Challenge <council>", "Peer Challenge of <council>": no separator.
TITLE_COUNCIL_BARE = re.compile(
    r"peer\s+challenge\s+(?:(?:at|of|for)\s+)?(?:the\s+)?(?P<name>[A-Z][^:\n]{2,80}?)\s*$", re.I
)
# The council in running text: "spent four days onsite at X, during which", "the peer challenge at X took place".
ONSITE_AT = Prefiltered(re.compile(
    r"\b(?:on-?\s?site|on\s+site)\s+(?:at|in|with)\s+(?:the\s+)?(?P<name>[A-Z][^\n.,;:(]{2,80}?)"
    r"(?=\s*[,.;:(]|\s+(?:during|where|and|from|between|to|for|in|on|over)\b)"
))
CHALLENGE_AT = Prefiltered(re.compile(
    r"\bpeer\s+challenge\s+(?:at|of|with)\s+(?:the\s+)?(?P<name>[A-Z][^\n.,;:(]{2,80}?)\s+"
    r"(?:took place|was held|was carried out|happened)\b",
    re.I,
))
# Sentences that date the visit: the challenge or the team on site.
VISIT_WORD = re.compile(r"\bpeer\s+challenge\b|\bon-?\s?site\b|\bon\s+site\b|\bpeer\s+team\b", re.I)
TOOK_PLACE = re.compile(r"\b(?:took place|was held|was carried out|visited|spent|were on-?\s?site|was on-?\s?site)\b",
                        re.I)
# Section headings of the report (after any markdown mark and number).
_NUMBER = r"(?:(?P<secnum>\d{1,2})(?:\.\d{1,2})*\.?\s+)?"
KEY_RECS_HEADING = re.compile(r"^" + _NUMBER + r"(?:the\s+peer\s+team['’]s\s+)?(?:key\s+)?recommendations\s*:?\s*$",
                              re.I)
FEEDBACK_HEADING = re.compile(r"^" + _NUMBER + r"(?:detailed\s+)?(?:feedback|findings)(?:\s+and\s+findings)?\s*$", re.I)
NEXT_STEPS_HEADING = re.compile(r"^" + _NUMBER + r"(?:final\s+thoughts\s+and\s+)?next\s+steps\s*$", re.I)
OTHER_HEADING = re.compile(
    r"^" + _NUMBER + r"(?:summary\s+of\s+(?:the\s+)?(?:(?:corporate\s+)?peer\s+challenge\s+)?approach|the\s+peer\s+team|"
    r"scope\s+and\s+focus|the\s+peer\s+challenge\s+process|introduction|background|context|executive\s+summary|"
    r"appendix\b.*|annex\b.*)\s*$",
    re.I,
)
# "4. Feedback" (a top-level numbered heading) and "4.1 Local priorities and outcomes" (a sub-section).
TOP_HEADING = re.compile(r"^(?P<num>\d{1,2})\.?\s+(?P<title>[A-Z][^.!?:]{0,80})$")
SUB_HEADING = re.compile(r"^(?P<sec>\d{1,2})\.(?P<num>\d{1,2})\.?\s+(?P<title>[A-Z‘'][^.!?:]{0,80})$")
# A line that opens a recommendation: "Recommendation 3: ...", "3. ...", "3) ...", "2.3 ...".
REC_EXPLICIT = re.compile(
    r"^(?:[•·▪◦●*\-–]\s*)?(?:Recommendation|Rec\.?)\s*(?P<num>\d{1,2})\s*(?:[:.–—)]|\s-)\s*(?P<body>\S.*)$", re.I
)
REC_NUMBERED = re.compile(
    r"^(?:[•·▪◦●*]\s*)?(?:(?P<sec>\d{1,2})\.(?=\d))?(?P<num>\d{1,2})(?:[.)]\s*|\s+)(?P<body>[^\s\d].*)$"
)
BULLET_ITEM = re.compile(r"^[•·▪◦●*\-–]\s*(?P<body>\S.*)$")
# The first sentence of a recommendation (its title when no separator marks one).
FIRST_SENTENCE = re.compile(r"^(?P<s>.+?(?<!\be\.g)(?<!\bi\.e)[.!?])(?=\s+[A-Z‘“\"'(])")
TRAILING_STOP = re.compile(r"[\s.;:,]+$")
# A stated number of key recommendations: "the following ten key recommendations", "the team's six ...".
REC_COUNT = Prefiltered(re.compile(
    r"\b(?:following|these|our|made|makes|make|the|\w+['’]s)\s+(?P<n>" + NUMBER_WORD + r")\s+(?:key\s+|main\s+)?"
    r"recommendations\b",
    re.I,
))
# A sub-section that names a recommendation by number.
REC_REFERENCE = re.compile(r"\brecommendations?\s+(?P<num>\d{1,2})\b", re.I)
WORD = re.compile(r"[a-z][a-z’'-]{2,}")
# The LGA adviser who is the council's contact: name then role, or role then name.
_PERSON = r"(?:(?:Cllr|Councillor|Dr|Sir|Dame|Mr|Mrs|Ms|Professor)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][\w’'-]+){1,2}"
_ADVISER = (r"(?:Senior\s+)?(?:Principal|Regional)\s+Advis[eo]r(?:\s+for\s+(?:the\s+)?[A-Z][\w’'-]*"
            r"(?:\s+(?:and\s+(?:the\s+)?)?[A-Z][\w’'-]*){0,4})?")
ADVISER_AFTER_NAME = Prefiltered(re.compile(
    r"(?P<name>" + _PERSON + r")\s*(?:\(|,\s*)(?:the\s+)?(?:LGA(?:['’]s)?\s+)?(?P<role>" + _ADVISER + r")"
))
ADVISER_BEFORE_NAME = Prefiltered(re.compile(
    r"(?:\bLGA(?:['’]s)?\s+)?(?P<role>" + _ADVISER + r")\s*,?\s+(?P<name>" + _PERSON + r")\b"
))

# Tuning of the theme match.
MIN_THEME_SCORE = 2.0  # at least one distinctive shared phrase, or a few distinctive words
THEME_MARGIN = 1.25  # the best sub-section must beat the next by this factor
MIN_ITEM_WORDS = 3  # a numbered line shorter than this after the list is a section heading
HEAD_CHARS = 3000  # where a visit-date line may stand when the header has none
SHORT_LINE = 6  # words besides the date on a visit-date line ("Dates of the on-site visit:")
STOPWORDS = frozenset(
    "the and for with that this from have has been were which their there these those into than then they them "
    "what when where will would should could also such more most some other over only very well being made make "
    "across ensure council councils peer peers team review recommendation recommendations its are was not can "
    "all any our your who how need needs needed".split()
)


@dataclass
class _Section:
    """A feedback sub-section: its heading as written and the span of its body."""

    title: str
    start: int
    end: int


class PeerChallengeLoader(Loader):
    """LGA Corporate Peer Challenge feedback reports."""

    kind = "peer-challenge"
    version = "3"
    description = "LGA Corporate Peer Challenge report: visit dates, peer team, key recommendations by theme, risks"

    def detect(self, text: str) -> float | None:
        """Confidence from the challenge's name, a title naming it, and the report's section structure.

        A progress review (named in the title, or often named and without the report's
        structure) is not a CPC report, whatever else it shares with one.
        """
        if not text or not text.strip():
            return None
        head = text[:60000]
        if not CUE_PEER_CHALLENGE.search(head):
            return None
        cues = _peer_report.cpc_report_cues(head)
        score = 0.2 + 0.1 * min(len(cues), 5)
        score += 0.2 if CUE_PEER_CHALLENGE.search(head[:400]) else 0.0
        score += 0.1 if CUE_LGA.search(head) else 0.0
        titled_review = CUE_PROGRESS_REVIEW.search(head[:400])
        if titled_review or len(CUE_PROGRESS_REVIEW.findall(head)) >= 3 and len(cues) < 2:
            score = min(score, 0.3)
        return round(min(score, 1.0), 2)

    def extract(self, document: Document) -> Extraction:
        text = document.text
        if not text.strip():
            raise DocumentRejected(document.name, "no text to read; supply the peer challenge report as text or markdown")
        ex = self.new_extraction()
        lines = _lines(text)
        header = _peer_report.header(text, lines)
        _peer_report.title_and_council(document, ex, header, patterns=(ONSITE_AT, CHALLENGE_AT, THANK),
                                       title_council=(TITLE_COUNCIL, TITLE_COUNCIL_BARE))
        _peer_report.review_date(document, ex, header, VISIT_WORD, "Corporate Peer Challenge", TOOK_PLACE,
                                 prefer_header=True)
        if ex.date is None:
            _visit_line(document, lines, ex)
        ex.peers = _peer_report.peer_team(document, lines)
        ex.recommendations, section = _key_recommendations(document, lines)
        _themes(text, lines, ex.recommendations)
        _recommendation_count(document, section, ex)
        ex.risks, risk_events = recognise(document, "risk")
        ex.interventions, _ = recognise(document, "intervention")
        ex.financial_facts = _money_facts.financial_facts(document)
        ex.people = _peer_report.people(document, ex)
        _advisers(document, ex)
        ex.organisations = _peer_report.organisations(document, ex)
        _peer_report.events(document, ex, risk_events)
        ex.claims = _peer_report.claims(document, ex, risk_events)
        return ex


def _lines(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, each starting after any markdown heading mark."""
    out = []
    for start, end in _peer_report.nonblank_lines(text):
        mark = MARKDOWN_HEADING.match(text[start:end])
        if mark and start + mark.end() < end:
            start += mark.end()
        out.append((start, end))
    return out


def _visit_line(document: Document, lines: list[tuple[int, int]], ex: Extraction) -> None:
    """The visit's days from a short line near the top holding a range of days (after a contents list)."""
    text = document.text
    for start, end in lines:
        if start > HEAD_CHARS:
            return
        line = text[start:end]
        for d in find_dates(line):
            if d.end_date is not None and d.date.day and len((line[:d.start] + line[d.end:]).split()) <= SHORT_LINE:
                ex.date, ex.date_end, ex.date_evidence = d.date, d.end_date, document.span(start + d.start, start + d.end)
                ex.events.append(Event("Corporate Peer Challenge", d.date, ex.date_evidence))
                return


def _is_section_end(line: str, section: int | None) -> bool:
    """Whether ``line`` starts another part of the report (not a numbered item of the current one)."""
    if OTHER_HEADING.match(line) or FEEDBACK_HEADING.match(line) or NEXT_STEPS_HEADING.match(line):
        return True
    top = TOP_HEADING.match(line)
    return bool(top and section is not None and int(top.group("num")) == section + 1
                and len(top.group("title").split()) < MIN_ITEM_WORDS)


# --- key recommendations ---------------------------------------------------------------------
def _key_recommendations(document: Document,
                         lines: list[tuple[int, int]]) -> tuple[list[Recommendation], tuple[int, int] | None]:
    """The numbered list under "Key recommendations" and the section's span, else "Recommendation N" lines.

    Every heading is tried in turn: a contents list names the section before the section itself.
    """
    text = document.text
    for index, (h_start, h_end) in enumerate(lines):
        heading = KEY_RECS_HEADING.match(text[h_start:h_end])
        if heading is None:
            continue
        section = int(heading.group("secnum")) if heading.group("secnum") else None
        body: list[tuple[int, int]] = []
        for s, e in lines[index + 1:]:
            if _is_section_end(text[s:e], section):
                break
            body.append((s, e))
        items = _items(text, body, section)
        if items:
            return [_recommendation(document, n, item) for n, item in items], (h_start, body[-1][1])
    # No list under a heading: explicit "Recommendation N" lines, first listing of each number.
    found: dict[int, list[tuple[int, int]]] = {}
    for s, e in lines:
        m = REC_EXPLICIT.match(text[s:e])
        if m and int(m.group("num")) not in found:
            found[int(m.group("num"))] = [(s + m.start("body"), e)]
    return [_recommendation(document, n, item) for n, item in sorted(found.items())], None


def _items(text: str, body: list[tuple[int, int]], section: int | None) -> list[tuple[int, list[tuple[int, int]]]]:
    """Numbered items (each a list of lines) in a section's body; bullets if nothing is numbered."""
    items: list[tuple[int, list[tuple[int, int]]]] = []
    expected = 1
    for s, e in body:
        line = text[s:e]
        explicit = REC_EXPLICIT.match(line)
        numbered = None if explicit else REC_NUMBERED.match(line)
        if numbered and (int(numbered.group("num")) != expected
                         or numbered.group("sec") and section is not None and int(numbered.group("sec")) != section):
            numbered = None
        m = explicit or numbered
        if m:
            number = int(m.group("num"))
            items.append((number, [(s + m.start("body"), e)]))
            expected = number + 1
        elif items:
            items[-1][1].append((s, e))
    if items:
        return items
    bullets = [(s, e, m) for s, e in body if (m := BULLET_ITEM.match(text[s:e]))]
    return [(i, [(s + m.start("body"), e)]) for i, (s, e, m) in enumerate(bullets, 1)]


def _recommendation(document: Document, number: int, item: list[tuple[int, int]]) -> Recommendation:
    """A recommendation from its lines: the short title and the full text."""
    text = document.text
    first = squash(text[slice(*item[0])])
    explicit = REC_EXPLICIT.match(first)
    if explicit:  # a "Recommendation N:" line inside a numbered or bulleted listing
        first = explicit.group("body")
    title, rest, written = split_title(first)
    if rest is None:
        sentence = FIRST_SENTENCE.match(first)
        title = written = sentence.group("s") if sentence else first
    title = TRAILING_STOP.sub("", title)
    # The title line and its paragraphs of detail, one a line (a title line has no full stop to join on).
    full = "\n".join([first, *(squash(text[s:e]) for s, e in item[1:])])
    rec = Recommendation(number, title, document.span(item[0][0], item[-1][1]), text=full)
    written = TRAILING_STOP.sub("", written)
    if written != title:
        rec.title_variants.append(written)
    return rec


def _recommendation_count(document: Document, section: tuple[int, int] | None, ex: Extraction) -> None:
    """The number listed, with the section heading as evidence; a count stated in the section is checked.

    Only the section's own introduction is read for a count: elsewhere a number of recommendations
    is usually another review's ("all 12 recommendations of the 2019 peer challenge").
    """
    text = document.text
    listed = len(ex.recommendations)
    if section is None:
        ex.recommendation_count = listed or None
        return
    stated = REC_COUNT.search(text, section[0], section[1])
    n = number_value(stated.group("n")) if stated else None
    if stated and n:
        ex.recommendation_count, ex.recommendation_count_evidence = n, document.span(stated.start(), stated.end())
        if listed != n:
            ex.warnings.append(f"the text counts {n} key recommendations but lists {listed}")
            ex.recommendation_count = listed
    else:
        ex.recommendation_count = listed
        ex.recommendation_count_evidence = document.span(section[0], text.find("\n", section[0], section[1])
                                                         if "\n" in text[section[0]:section[1]] else section[1])


# --- themes: the feedback sub-section that discusses each recommendation ------------------------
def _feedback_sections(text: str, lines: list[tuple[int, int]]) -> list[_Section]:
    """The sub-sections of the feedback: numbered under its heading, or headed by a core element.

    Of several "Feedback" headings (a contents list names it too) the one with most sub-sections
    wins; with none, the last heading naming each core element starts a sub-section.
    """
    heads: list[tuple[int, int, str]] = []  # (line index, body start, title)
    end_index = len(lines)
    for index, (h_start, h_end) in enumerate(lines):
        heading = FEEDBACK_HEADING.match(text[h_start:h_end])
        if heading is None:
            continue
        found, stop = _subsections(text, lines, index, int(heading.group("secnum")) if heading.group("secnum") else None)
        if len(found) > len(heads):
            heads, end_index = found, stop
    if not heads:
        last: dict[int, tuple[int, int, str]] = {}
        for i, (s, e) in enumerate(lines):
            title = _core_element_heading(text[s:e])
            if title:
                last[next(k for k, p in enumerate(CORE_ELEMENTS) if p.search(title))] = (i, e, title)
        heads = sorted(last.values())
        end_index = next((i for i, (s, e) in enumerate(lines) if NEXT_STEPS_HEADING.match(text[s:e])
                          and heads and i > heads[-1][0]), len(lines))
    out = []
    for k, (i, body_start, title) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else end_index
        body_end = lines[stop - 1][1] if stop - 1 > i else body_start
        out.append(_Section(title, body_start, body_end))
    return out


def _subsections(text: str, lines: list[tuple[int, int]], index: int,
                 section: int | None) -> tuple[list[tuple[int, int, str]], int]:
    """Sub-section headings after the feedback heading at ``lines[index]``, and where the feedback ends."""
    heads = []
    for i in range(index + 1, len(lines)):
        line = text[slice(*lines[i])]
        top = TOP_HEADING.match(line)
        if NEXT_STEPS_HEADING.match(line) or OTHER_HEADING.match(line) or (
                top and section is not None and int(top.group("num")) == section + 1):
            return heads, i
        sub = SUB_HEADING.match(line)
        if sub and (section is None or int(sub.group("sec")) == section):
            heads.append((i, lines[i][1], sub.group("title").strip()))
        elif title := _core_element_heading(line):
            heads.append((i, lines[i][1], title))
    return heads, len(lines)


def _core_element_heading(line: str) -> str | None:
    """The heading text, if ``line`` is (perhaps numbered) the name of a core element and nothing more."""
    line = line.strip()
    top = SUB_HEADING.match(line) or TOP_HEADING.match(line)
    title = top.group("title").strip() if top else line
    for pattern in CORE_ELEMENTS:
        m = pattern.search(title)
        if m and len(title) - len(m.group()) <= 3 and m.start() <= 1:
            return title
    return None


def _stems(text: str) -> list[str]:
    return [w[:7] for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def _themes(text: str, lines: list[tuple[int, int]], recs: list[Recommendation]) -> None:
    """Each recommendation's theme: the sub-section naming it, else the one sharing most distinctive words."""
    sections = _feedback_sections(text, lines)
    if not sections or not recs:
        return
    words = [_stems(text[s.start:s.end]) for s in sections]
    unigrams = [set(w) for w in words]
    bigrams = [set(zip(w, w[1:])) for w in words]
    n = len(sections)

    def idf(sets: list[set], key) -> float:
        df = sum(1 for s in sets if key in s)
        return math.log((n + 1) / df) if df else 0.0

    for rec in recs:
        named = [s for s in sections if any(int(m.group("num")) == rec.number
                                            for m in REC_REFERENCE.finditer(text, s.start, s.end))]
        if len(named) == 1:
            rec.theme = named[0].title
            continue
        rec_words = _stems(rec.text or rec.title)
        rec_unigrams, rec_bigrams = set(rec_words), set(zip(rec_words, rec_words[1:]))
        scores = []
        for k in range(n):
            score = sum(idf(unigrams, w) for w in rec_unigrams & unigrams[k])
            score += 2 * sum(idf(bigrams, b) for b in rec_bigrams & bigrams[k])
            scores.append(score)
        ranked = sorted(range(n), key=lambda k: scores[k], reverse=True)
        best = scores[ranked[0]]
        second = scores[ranked[1]] if n > 1 else 0.0
        if best >= MIN_THEME_SCORE and best >= THEME_MARGIN * second:
            rec.theme = sections[ranked[0]].title


# --- the LGA adviser ----------------------------------------------------------------------------
def _advisers(document: Document, ex: Extraction) -> None:
    """The LGA (principal or regional) adviser named as the council's contact, with the LGA as employer."""
    text = document.text
    peers = {p.name for p in ex.peers}
    known = {p.name: p for p in ex.people}
    for pattern in (ADVISER_AFTER_NAME, ADVISER_BEFORE_NAME):
        for m in pattern.finditer(text):
            honorific, name = _peers.split_honorific(m.group("name"))
            if name in peers or not _peers.is_person_name(name):
                continue
            s, e = sentence_around(text, m.start(), m.end())
            lga = CUE_LGA.search(text, s, e)
            organisation = lga.group() if lga else None
            person = known.get(name)
            if person is None:
                person = PersonMention(name, document.span(m.start(), m.end()), m.group("role").strip(),
                                       organisation, honorific)
                ex.people.append(person)
                known[name] = person
            else:
                person.role = person.role or m.group("role").strip()
                person.organisation = person.organisation or organisation

