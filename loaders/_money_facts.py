"""Money amounts in prose, with a short phrase for what they measure and the period, as written.

Relies on the usual shapes of financial statements in oversight reports:
``£X of <noun>`` ("£164m of savings since 2010"), ``<verb> <noun> totalling £X``
("sold assets totalling £160m"), ``a <noun> of £X`` ("a budget of £60,000 per annum"),
``<subject> is likely to cost £X``, and a breakdown in brackets after a total
("£54m (£22m for 2023/24 and £32m 2024/45) of capitalisation"), whose parts share
the total's measure. A demonstrative before an amount ("This £54m") marks a repeat.
"""

from __future__ import annotations

import re

from councilkg.model import FinancialFact
from councilkg.loaders._text import find_money, sentence_around

# --- patterns -------------------------------------------------------------------
# A financial or calendar period: "2023/24", "since 2010", "per annum", "the last 14 years".
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"
PERIOD = re.compile(
    r"\b(?:(?:19|20)\d{2}\s?[/-]\s?\d{2,4}|since\s+(?:19|20)\d{2}|per\s+(?:annum|year|month)|a\s+year|annually|"
    r"(?:last|past|next)\s+" + _NUMBER + r"\s+years|to date)\b",
    re.I,
)
# "of savings", "of capitalisation": the noun after an amount (a bracketed breakdown may come between).
OF_NOUN = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?of\s+(?P<np>[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,2}?)"
    r"(?=\s+(?:to|for|in|since|during|over|and|which|that|by|on|at|from|with|this)\b|[.,;)]|\s*$|"
    r"\s+(?P<part>agreed|made|planned|identified|required|needed|delivered|achieved|approved)\b)",
    re.I,
)
# "<verb> <noun> totalling £X", "<noun> worth £X".
NOUN_TOTALLING = re.compile(
    r"(?:\b(?P<verb>sold|bought|acquired|disposed of|received|borrowed|invested|spent|raised)\s+)?"
    r"\b(?P<np>[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*)?)\s+(?:totalling|worth|valued at|amounting to)\s*$",
    re.I,
)
# A financial noun straight after the amount: "£23.5m budget gap", "£4m overspend", "£2m of savings".
NOUN_AFTER = re.compile(
    r"^\s*(?:of\s+)?(?P<np>(?:[a-z][\w’'-]*\s+){0,2}(?:gap|overspend|deficit|shortfall|savings?|surplus|underspend|"
    r"budget|reserves?|funding|grant|loan|capital receipts?|investment|pressures?|debt|borrowing|income))\b",
    re.I,
)
# "agreed savings of £X", "identified efficiencies of £X": a verb, a noun, "of".
VERB_NOUN_OF = re.compile(
    r"\b(?P<verb>agreed|made|planned|identified|required|needed|delivered|achieved|approved|proposed|found)\s+"
    r"(?P<np>[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*)?)\s+of\s*$",
    re.I,
)
# "a budget of £X", "an improved position of £X".
NOUN_OF = re.compile(r"\b(?:a|an|the|its)\s+(?P<np>[a-z][\w’'-]*(?:\s+[a-z][\w’'-]*){0,2}?)\s+of\s*$", re.I)
# "<subject> is likely to cost £X".
SUBJECT_COSTS = re.compile(
    r"\bthe\s+(?P<np>[\w’'-]+(?:\s+[\w’'-]+){0,4}?)\s+(?:is|are|was|were|will)?\s*(?:be\s+)?(?:likely|expected|estimated|"
    r"forecast|projected)?\s*(?:to\s+)?costs?\s*$",
    re.I,
)
# A verb before an amount that says what happened to it ("has made £164m of savings").
VERB_BEFORE = re.compile(
    r"\b(?P<verb>made|make|achieved?|delivered?|realised|saved|sold|agreed|spent|received|borrowed|invested|raised|"
    r"identified|found)\s+(?:(?:a|an|the|over|around|about|some)\s+)?$",
    re.I,
)
# A topic a budget is for: "resources to member development, including a budget of".
BUDGET_TOPIC = re.compile(r"\b(?:to|for|on)\s+(?P<topic>[a-z]+(?:\s+[a-z]+){0,2})\s*,\s*including\s+(?:a|an)\s+$", re.I)
# Where the clause holding an amount ends.
CLAUSE_END = re.compile(r",|;|\band\b(?!\s+onwards)|\bwhich\b")
DEMONSTRATIVE = re.compile(r"\b(?:this|these|those)\s*$", re.I)  # not "that": "explained that £5m"
WORD_TAIL = re.compile(r"[\w’'-]+(?:\s+[\w’'-]+){0,2}\s*$")
# Verbs that report savings as done share one measure ("savings made").
DONE_VERBS = {"made": "made", "make": "made", "achieve": "made", "achieved": "made", "deliver": "made",
              "delivered": "made", "realised": "made"}
CUMULATIVE_PERIOD = re.compile(r"^(?:since|last|past|to date)", re.I)


def _measure(text: str, s_start: int, amount, prior: list[tuple[int, int, str]]) -> str | None:
    before = text[s_start: amount.start]
    after = text[amount.end: amount.end + 120]
    for p_start, p_end, measure in prior:  # inside a bracketed breakdown of an earlier amount
        if p_end <= amount.start and "(" in text[p_end: amount.start] and ")" not in text[p_end: amount.start]:
            return measure
    verb = VERB_BEFORE.search(before)
    verb_word = DONE_VERBS.get(verb.group("verb").lower(), verb.group("verb").lower()) if verb else None
    m = OF_NOUN.match(after)
    if m:
        noun = m.group("np")
        participle = m.group("part") or verb_word
        participle = DONE_VERBS.get(participle.lower(), participle.lower()) if participle else None
        return f"{noun} {participle}" if participle else noun
    m = NOUN_AFTER.match(after)
    if m:
        return f"{m.group('np').lower()} {verb_word}" if verb_word else m.group("np").lower()
    m = VERB_NOUN_OF.search(before)
    if m:
        return f"{m.group('np')} {DONE_VERBS.get(m.group('verb').lower(), m.group('verb').lower())}"
    m = NOUN_TOTALLING.search(before)
    if m:
        return f"{m.group('np')} {m.group('verb')}" if m.group("verb") else m.group("np")
    m = NOUN_OF.search(before)
    if m:
        topic = BUDGET_TOPIC.search(before[: m.start("np")])
        return f"{topic.group('topic')} {m.group('np')}" if topic else m.group("np")
    m = SUBJECT_COSTS.search(before)
    if m:
        return f"{m.group('np').strip()} cost"
    tail = WORD_TAIL.search(before.rstrip(" (:"))
    return tail.group().strip() if tail else None


def _period(text: str, s_start: int, s_end: int, amount, next_start: int) -> str | None:
    """The period nearest after the amount in its clause, else before it in the sentence."""
    after = text[amount.end: min(s_end, next_start)]
    clause_end = CLAUSE_END.search(after)
    m = PERIOD.search(after[: clause_end.start()] if clause_end else after)
    if m:
        return m.group()
    before = [p for p in PERIOD.finditer(text, s_start, amount.start)]
    return before[-1].group() if before else None


def financial_facts(document) -> list[FinancialFact]:
    """Every sterling amount with its measure and period."""
    text = document.text
    amounts = find_money(text)
    facts: list[FinancialFact] = []
    prior: list[tuple[int, int, str]] = []
    seen: set[tuple] = set()
    for i, amount in enumerate(amounts):
        s_start, s_end = sentence_around(text, amount.start, amount.end)
        if DEMONSTRATIVE.search(text[s_start: amount.start]):
            continue
        measure = _measure(text, s_start, amount, prior) or "amount"
        prior.append((amount.start, amount.end, measure))
        next_start = amounts[i + 1].start if i + 1 < len(amounts) else len(text)
        period = _period(text, s_start, s_end, amount, next_start)
        key = (amount.value, measure, period)
        if key in seen:
            continue
        seen.add(key)
        facts.append(FinancialFact(measure, amount.value, amount.unit, amount.as_written,
                                   document.span(s_start, s_end), period))
    return facts


def is_cumulative(fact: FinancialFact) -> bool:
    """A running total ("since 2010", "in the last 14 years") or an undated amount, not a one-year part."""
    return fact.period is None or bool(CUMULATIVE_PERIOD.match(fact.period))
