"""Loader for LGA Corporate Peer Challenge (CPC) progress reviews.

A progress review is a short report by a peer team that revisits a council some months
after its Corporate Peer Challenge. The structure relied on (all of it optional):

* a header before the first numbered section ("1. Introduction"): a title line naming
  the review ("LGA Corporate Peer Challenge – Progress Review[: council]"), a line with
  the council's name, a date line ("Feedback: 7 – 8 October 2025", "23rd May 2024");
* sentences naming the council: "The LGA would like to thank <council> for ...",
  "The Progress Review at <council> took place ... on <date>";
* the original CPC's date: "undertook an LGA Corporate Peer Challenge (CPC) during
  <month year>", "the <year> CPC", "the Corporate Peer Challenge in <year>", or
  "<n> years after the CPC";
* the peer team: a line such as "the following members ... were involved:" followed by
  one peer a line (see :mod:`councilkg.loaders._peers` for the line shapes);
* recommendations listed as "Recommendation N: title – text" lines, possibly grouped
  under "Theme: X" lines and listed twice (see :mod:`councilkg.loaders._recommendations`);
* the council's self-assessment as RAG counts ("12 out of the 18 recommendations were
  rated ‘green’ ...") or action-plan shares ("18 per cent are complete, ...");
* a closing "<Name>, <role> is the main point of contact between the authority and the LGA".

Page furniture, tables of contents and hard line breaks are removed by
:class:`~councilkg.loaders._text.CleanText` before any of this is read.
"""

from __future__ import annotations

import re

from councilkg.errors import DocumentRejected
from councilkg.loaders import Document, Loader
from councilkg.loaders import _money_facts, _peer_report, _recommendations
from councilkg.loaders._peer_report import CUE_LGA, CUE_PROGRESS_REVIEW, THANK
from councilkg.loaders._self_assessment import NUMBER_WORD, action_plan_shares, number_value, rag_counts, sentences
from councilkg.loaders._concepts import recognise
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._text import find_dates
from councilkg.model import Event, Extraction, PartialDate

# --- patterns -------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
# Detection cues (the LGA and progress-review cues are shared, in _peer_report).
CUE_PEER_CHALLENGE = Prefiltered(re.compile(r"\bcorporate\s+peer\s+challenge\b|\bCPC\b|\bpeer\s+challenge\b", re.I))
CUE_PEER_TEAM = Prefiltered(re.compile(r"\bpeer\s+(?:challenge\s+)?team\b|\bpeers\b", re.I))
CUE_RECOMMENDATION = Prefiltered(re.compile(r"\brecommendations?\b", re.I))
# The marks of a full CPC report (see _peer_report.cpc_report_cues) that a progress review never has.
CPC_STRUCTURE = frozenset({"key-recommendations", "approach", "scope", "core-elements"})
REVIEW_AT = Prefiltered(re.compile(
    r"\b(?:Progress Review|review|revisit|visit)\s+(?:at|of|to|with)\s+(?:the\s+)?(?P<name>[A-Z][^\n.,(]{2,80}?)\s+"
    r"(?:took place|was held|was carried out|happened)\b",
    re.I,
))
REVIEW_WORD = re.compile(r"\bprogress\s+review\b|\brevisit\b|\bthis review\b|\bpeer team (?:visited|returned)\b", re.I)
# The original peer challenge: a sentence saying when it happened.
CPC_WORDS = r"(?:LGA\s+)?(?:Corporate\s+Peer\s+Challenge|CPC|peer\s+challenge|(?<!progress\s)peer\s+review)"
CPC_HELD = Prefiltered(re.compile(
    r"\b(?:undertook|underwent|hosted|received|had|held|took part in|participated in)\s+(?:an?\s+|its\s+|the\s+)?"
    + CPC_WORDS + r"\b|\b" + CPC_WORDS + r"(?:\s*\(CPC\))?\s+(?:took place|was held|was carried out)\b",
    re.I,
))
CPC_YEAR = Prefiltered(re.compile(
    r"\b(?P<year>(?:19|20)\d{2})\s+" + CPC_WORDS + r"\b|\b" + CPC_WORDS
    + r"\s+(?:in|during|of)\s+(?:(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+)?(?P<year2>(?:19|20)\d{2})\b",
    re.I,
))
CPC_RELATIVE = Prefiltered(re.compile(
    r"\b(?:approximately\s+|about\s+|around\s+|some\s+)?(?P<n>" + NUMBER_WORD + r")\s+(?P<unit>years?|months?)\s+"
    r"(?:after|since)\s+(?:the\s+)?(?:original\s+)?" + CPC_WORDS,
    re.I,
))
# "Out of the CPC's 11 recommendations", "all 18 recommendations", "made 12 recommendations".
REC_COUNT = Prefiltered(re.compile(
    r"\b(?:all|made|the|its|of)\s+(?:the\s+)?(?:\w+['’]s\s+)?(?P<n>" + NUMBER_WORD + r")\s+(?:\w+\s+)?"
    r"recommendations\b",
    re.I,
))

class ProgressReviewLoader(Loader):
    """LGA Corporate Peer Challenge progress reviews."""

    kind = "progress-review"
    version = "3"
    description = "LGA Corporate Peer Challenge progress review: peer team, recommendations, progress, risks"

    def detect(self, text: str) -> float | None:
        """Confidence from cheap cues: the review's name, the peer challenge, the peer team, the LGA."""
        if not text or not text.strip():
            return None
        head = text[:30000]
        mentions = len(CUE_PROGRESS_REVIEW.findall(head))
        score = 0.0
        if mentions:
            score += 0.45 if mentions >= 3 or CUE_PROGRESS_REVIEW.search(head[:400]) else 0.2
        score += 0.25 if CUE_PEER_CHALLENGE.search(head) else 0.0
        score += 0.15 if CUE_PEER_TEAM.search(head) else 0.0
        score += 0.1 if CUE_LGA.search(head) else 0.0
        score += 0.05 if CUE_RECOMMENDATION.search(head) else 0.0
        # A full CPC report shares every cue above (it offers a progress review in its next steps);
        # its own section structure, without a progress review in the title, says it is not one.
        structure = _peer_report.cpc_report_cues(text[:60000]) & CPC_STRUCTURE
        if len(structure) >= 2 and not CUE_PROGRESS_REVIEW.search(head[:400]):
            score = min(score, 0.4)
        return min(score, 1.0) or None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        if not text.strip():
            raise DocumentRejected(document.name, "no text to read; supply the progress review as text or markdown")
        ex = self.new_extraction()
        lines = _peer_report.nonblank_lines(text)
        header = _peer_report.header(text, lines)
        _peer_report.title_and_council(document, ex, header, patterns=(REVIEW_AT, THANK))
        _peer_report.review_date(document, ex, header, REVIEW_WORD, "progress review")
        _original_date(document, ex)
        ex.peers = _peer_report.peer_team(document, lines)
        ex.recommendations = _recommendations.build(document, lines)
        _recommendation_count(document, ex)
        ex.self_assessment = rag_counts(document, lines) or action_plan_shares(document)
        ex.risks, risk_events = recognise(document, "risk")
        ex.interventions, _ = recognise(document, "intervention")
        ex.financial_facts = _money_facts.financial_facts(document)
        ex.people = _peer_report.people(document, ex)
        ex.organisations = _peer_report.organisations(document, ex)
        _peer_report.events(document, ex, risk_events)
        ex.claims = _peer_report.claims(document, ex, risk_events)
        return ex


# --- the original peer challenge -------------------------------------------------------
def _original_date(document: Document, ex: Extraction) -> None:
    """When the original peer challenge took place: stated, then a year next to it, then relative."""
    text = document.text
    limit = ex.date
    found: tuple[PartialDate, int, int] | None = None
    for s, e in sentences(text):
        if CPC_HELD.cannot_match(text, s, e):
            continue  # a word the wording needs is missing from the sentence
        sentence = text[s:e]
        if CPC_HELD.search(sentence) and not REVIEW_WORD.search(sentence):
            dates = [d for d in find_dates(sentence, years=True) if limit is None or d.date < limit]
            if dates:
                found = (dates[0].date, s, e)
                break
    if found is None:
        for m in CPC_YEAR.finditer(text):
            month = m.group("month")
            year = int(m.group("year") or m.group("year2"))
            date = PartialDate(year, find_dates(f"{month} {year}")[0].date.month) if month else PartialDate(year)
            if limit is None or date.year <= limit.year and date < limit:
                found = (date, m.start(), m.end())
                break
    if found is None and limit is not None:
        for m in CPC_RELATIVE.finditer(text):
            n = number_value(m.group("n"))
            if n is None:
                continue
            if m.group("unit").lower().startswith("year"):
                year = limit.year - n
            else:  # months back from the review: only the year is safe to state
                year = (limit.year * 12 + (limit.month or 1) - 1 - n) // 12
            found = (PartialDate(year), m.start(), m.end())
            break
    if found:
        date, s, e = found
        ex.original_review_date, ex.original_review_evidence = date, document.span(s, e)
        ex.events.append(Event("original Corporate Peer Challenge", date, ex.original_review_evidence))


# --- recommendations and self-assessment ------------------------------------------------------
def _recommendation_count(document: Document, ex: Extraction) -> None:
    m = REC_COUNT.search(document.text)
    n = number_value(m.group("n")) if m else None
    if m and n:
        ex.recommendation_count, ex.recommendation_count_evidence = n, document.span(m.start(), m.end())
        listed = len(ex.recommendations)
        if listed and listed != n:
            ex.warnings.append(f"the text counts {n} recommendations but lists {listed}")
    elif ex.recommendations:
        ex.recommendation_count = len(ex.recommendations)
