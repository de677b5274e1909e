"""The council's self-assessment in a peer-challenge document: RAG counts or action-plan shares.

Relies on sentences such as "12 out of the 18 recommendations were rated ‘green’ and the
remaining six were rated ‘amber’. No recommendations were rated ‘red’." (one clause per
colour, a count in digits or words, "N of M" giving the total), or "From the action plan
18 per cent are complete, 33 per cent are on track, ..." (a percentage, then a status).
A clause about one recommendation ("the recommendation on X was rated ‘amber’") is not a count.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._text import find_percentages
from councilkg.model import SelfAssessment

if TYPE_CHECKING:
    from councilkg.loaders import Document

# --- patterns -------------------------------------------------------------------
NUMBER_WORD = (r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty)")
# A sentence: a full stop inside "£3.2m" or after "e.g." does not end it.
SENTENCE = re.compile(r"(?:\b(?:e\.g|i\.e|approx|no)\.|[^.!?\n]|[.!?](?=[\w’”)]))+(?:[.!?]+|$)", re.I | re.M)
# Self-assessment: RAG counts.
COLOUR = re.compile(r"\b(?P<colour>green|amber|red)\b", re.I)
RAG_CUE = Prefiltered(re.compile(r"\brated\b|\bRAG\b", re.I))
CLAUSE_SPLIT = re.compile(r",|;|\band\b|\bwhile\b|\bwhereas\b|\bwith\b", re.I)
OF_TOTAL = re.compile(r"\b(?P<n>" + NUMBER_WORD + r")\s+(?:out\s+)?of\s+(?:the\s+|its\s+|their\s+)?(?:\w+['’]s\s+)?(?P<t>"
                      + NUMBER_WORD + r")\b", re.I)
COUNT = re.compile(r"\b(?P<n>" + NUMBER_WORD + r"|no|none|zero)\b", re.I)
SINGLE_RECOMMENDATION = re.compile(r"\brecommendation\s+(?:\d|on\b|for\b|about\b|regarding\b)", re.I)
DISAGREE = re.compile(
    r"\b(?:peer team|peers|team)\b[^.]{0,60}?\b(?:did not|do not|does not|didn['’]t|don['’]t)\s+agree\b|"
    r"\b(?:peer team|peers)\b[^.]{0,60}?\bdisagree", re.I)
# Self-assessment: action-plan shares ("18 per cent are complete").
ACTION_PLAN = re.compile(r"\baction\s+plan\b|\bactions\b", re.I)
STATUSES = (
    ("not-due", re.compile(r"^\W*(?:are|is|were|have|has)?\s*(?:been\s+)?not\s+(?:yet\s+)?(?:due|started)", re.I)),
    ("on-track", re.compile(r"^\W*(?:are|is|were)?\s*on\s+track", re.I)),
    ("off-track", re.compile(r"^\W*(?:are|is|were)?\s*(?:off\s+track|delayed|overdue|behind)", re.I)),
    ("in-progress", re.compile(r"^\W*(?:are|is|were)?\s*(?:in\s+progress|underway|ongoing)", re.I)),
    ("complete", re.compile(r"^\W*(?:are|is|were|have been|has been)?\s*(?:complete|completed|achieved|done)", re.I)),
)


NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"no": 0, "none": 0}


def number_value(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS.get(word)


def sentences(text: str, start: int = 0, end: int | None = None):
    """``(start, end)`` of each sentence of ``text[start:end]``."""
    for m in SENTENCE.finditer(text, start, len(text) if end is None else end):
        if m.group().strip():
            yield m.start(), m.end()


def _clause_counts(sentence: str) -> tuple[dict[str, int], int | None]:
    counts: dict[str, int] = {}
    total = None
    for clause in CLAUSE_SPLIT.split(sentence):
        colours = COLOUR.findall(clause)
        if len(colours) != 1 or SINGLE_RECOMMENDATION.search(clause):
            continue
        of = OF_TOTAL.search(clause)
        if of:
            counts[colours[0].lower()], total = number_value(of.group("n")), number_value(of.group("t"))
            continue
        count = COUNT.search(clause)
        if count and number_value(count.group("n")) is not None:
            counts[colours[0].lower()] = number_value(count.group("n"))
    return counts, total


def rag_counts(document: Document, lines: list[tuple[int, int]]) -> SelfAssessment | None:
    text = document.text
    for start, end in lines:
        if RAG_CUE.cannot_match(text, start, end):
            continue  # no sentence of the line says "rated" or "RAG", so none is read
        counts: dict[str, int] = {}
        total, first, last = None, None, None
        for s, e in sentences(text, start, end):
            sentence = text[s:e]
            found, t = _clause_counts(sentence) if RAG_CUE.search(sentence) else ({}, None)
            if not found:
                if first is not None:
                    break
                continue
            counts.update(found)
            total = total or t
            first = s if first is None else first
            last = e
        if first is None or (len(counts) < 2 and total is None):
            continue
        if total is not None:
            counts["total"] = total
        assessment = SelfAssessment(document.span(first, last), "rag", counts)
        for s, e in sentences(text, start, lines[min(len(lines) - 1, lines.index((start, end)) + 1)][1]):
            if DISAGREE.search(text[s:e]):
                assessment.peer_view = document.span(s, e)
                break
        return assessment
    return None


def action_plan_shares(document: Document) -> SelfAssessment | None:
    text = document.text
    for s, e in sentences(text):
        sentence = text[s:e]
        shares = find_percentages(sentence)
        if len(shares) < 2 or not ACTION_PLAN.search(sentence):
            continue
        percentages: dict[str, Decimal] = {}
        for share in shares:
            after = sentence[share.end:share.end + 40]
            key = next((k for k, p in STATUSES if p.search(after)), None)
            if key:
                percentages[key] = share.value
        if len(percentages) >= 2:
            return SelfAssessment(document.span(s, e), "action-plan", percentages=percentages)
    return None
