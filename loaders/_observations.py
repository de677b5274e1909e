"""Statistics with their comparators, read from running prose, as :class:`~councilkg.model.Observation`.

Oversight documents state figures in a few recurring sentence shapes, which this module
relies on (each is matched within one paragraph of the cleaned text):

* a value, then a comparison with a bracketed comparator value:
  ``58.20% of people were satisfied ... This was somewhat worse than the England average (63.10%).``
  or ``far higher in <place> (70%) than the LGA average (50%)``; the value is the last figure
  before the comparison and after the previous one, so "This was ..." sentences work;
* ``72% of calls ... as compared to 60% a year earlier``;
* a change: ``had risen from 40% to 52%``, ``had fallen to 6 minutes from 20 minutes``,
  ``reduced the waiting list from 80 in March 2024 to 30 in June 2024``;
* a target: ``the target of 90%`` (recorded as a comparison with comparator "target");
* the data source and period in a lead-in: ``National data from the <Survey> for 2024/25 showed``;
* waiting figures: ``the median wait for <service> was 30 days``, ``the waiting list for
  <service> in May 2024 was 410``, ``300 people waiting for <service>``, dated by the month
  in the sentence or, failing that, the last month stated earlier in the paragraph.

Standalone figures (``6% of residents were dissatisfied``) are read only on request
(``standalone=True``), since in long reports most bare percentages are demographics.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from councilkg.model import Observation
from councilkg.loaders._literals import Prefiltered

# --- patterns -------------------------------------------------------------------------
# Patterns run on every paragraph are Prefiltered (see _literals): the same matches, found faster.
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"%|per\s?cent\b|percent\b|minutes?\b|days?\b|weeks?\b|months?\b|hours?\b"
_MONTH_YEAR = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+(?:19|20)\d{2}"
)
# Wording of a comparison: "somewhat worse", "similar", "a positive variation", "far higher" (CQC's terms).
_DIRECTION = (
    r"(?:(?:somewhat|significantly|slightly|much|far|considerably|marginally|a\s+little|statistically)\s+)?"
    r"(?:worse|better|higher|lower|similar|above|below|greater|less)"
    r"|a\s+(?:positive|negative)\s+variation|in\s+line|the\s+same|the\s+similar"
)
# "<direction> [in X (70%)] than|to|as|from the <comparator> (63.10%)".
COMPARISON = Prefiltered(re.compile(
    r"(?P<direction>" + _DIRECTION + r")"
    r"(?:\s+in\s+[^().;\n]{1,40}?\s*\(\s*(?P<inline>" + _NUM + r")\s*(?P<inline_unit>" + _UNIT + r")?\s*\))?"
    r"\s+(?:than|to|as|from|with)\s+(?:the\s+)?"
    r"(?P<comparator>[^().;\n]{2,60}?)\s*\(\s*(?P<cv>" + _NUM + r")\s*(?P<cv_unit>" + _UNIT + r")?\s*\)",
    re.I,
))
# Leading words of a comparator that are not part of its name: "recorded two years ago".
COMPARATOR_LEAD = re.compile(r"^(?:that\s+|those\s+|the\s+figure\s+|the\s+)?(?:recorded|reported|seen|found)?\s*", re.I)
# "72% of calls answered as compared to 60% a year earlier".
COMPARED = Prefiltered(re.compile(
    r"(?P<v>" + _NUM + r")\s?(?P<unit>" + _UNIT + r")(?P<desc>[^.;\n]{0,120}?)\s+(?:as\s+)?compared\s+(?:to|with)\s+"
    r"(?P<cv>" + _NUM + r")\s?(?:" + _UNIT + r")?\s*(?P<comparator>(?:(?!\s+and\s)[^.;,\n]){0,60})",
    re.I,
))
# A change: "risen from 40% to 52%", "fallen to 6 minutes from 20 minutes", "reduced ... to 120 people".
_CHANGE_VERB = (
    r"risen|rose|fallen|fell|increased|decreased|reduced|reduction|dropped|improved|declined|"
    r"grown|gone\s+(?:up|down)|gone\s+from|moved|cut"
)
_DATED = r"(?:\s*(?:in|at|by)\s+(?P<NAME>" + _MONTH_YEAR + r"))?"
CHANGE = Prefiltered(re.compile(
    r"\b(?P<verb>" + _CHANGE_VERB + r")\b(?P<mid>[^.;:()\d\n]{0,50}?)\s*"
    r"(?:from\s+(?P<from>" + _NUM + r")\s?(?P<u1>" + _UNIT + r"|people\b|cases\b|jobs\b|households\b|referrals\b|residents\b)?" + _DATED.replace("NAME", "d1")
    + r"\s+to\s+(?P<to>" + _NUM + r")\s?(?P<u2>" + _UNIT + r"|people\b|cases\b|jobs\b|households\b|referrals\b|residents\b)?" + _DATED.replace("NAME", "d2")
    + r"|to\s+(?P<to2>" + _NUM + r")\s?(?P<u3>" + _UNIT + r"|people\b|cases\b|jobs\b|households\b|referrals\b|residents\b)?" + _DATED.replace("NAME", "d3")
    + r"(?:\s+from\s+(?P<from2>" + _NUM + r")\s?(?P<u4>" + _UNIT + r"|people\b)?)?)",
    re.I,
))
# "the target of 90%", "a target of 95 per cent".
TARGET = Prefiltered(re.compile(
    r"\btarget\s+(?:of\s+|was\s+|is\s+)?(?P<v>" + _NUM + r")\s?(?P<unit>" + _UNIT + r")", re.I,
))
# "National data from the Adult Social Care Survey for 2023/24 showed" (survey and period).
SOURCE = Prefiltered(re.compile(
    r"\b(?:data|figures|results|statistics)\s+(?:from|in)\s+(?:the\s+)?"
    r"(?P<source>[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|of|in|and|on|for(?=\s+[A-Z])))*?)"
    r"\s+(?:for|in)\s+(?P<period>(?:19|20)\d{2}(?:\s*[/–-]\s*\d{2,4})?)",
))
# A bare year or financial year: "2024/25", "2023-24", "23/24".
PERIOD = re.compile(r"\b(?:(?:19|20)\d{2}\s*[/–-]\s*\d{2,4}|(?:19|20)\d{2})\b")
# A month-year or a rolling period as written: "May 2024", "the 12 months to May 24".
MONTH_PERIOD = re.compile(
    r"(?:\b\d{1,2}\s+months\s+to\s+(?:" + _MONTH_YEAR + r"|[A-Z][a-z]+\s+\d{2}\b)|\b" + _MONTH_YEAR + r")"
)
# Median/maximum waits: "the median wait for Care Act assessment was 21 days".
WAIT_STAT = Prefiltered(re.compile(
    r"\b(?P<stat>median|maximum|average|mean|longest|shortest|minimum)\b"
    r"(?P<what>[^.;\n]{0,90}?)\s+(?:was|were|is|of|had\s+reduced\s+to|reduced\s+to|stood\s+at)\s+"
    r"(?:(?:over|about|around)\s+)?(?P<v>" + _NUM + r")\s+(?P<unit>days?|weeks?|months?|minutes?|hours?)\b",
    re.I,
))
# "the waiting list for Care Act assessment in May 2024 was 410".
WAIT_LIST = Prefiltered(re.compile(
    r"\bwaiting\s+list\s+(?P<what>for\s+[^.;,\d\n]{3,60}?)?\s*(?:in\s+(?P<date>" + _MONTH_YEAR + r")\s+)?"
    r"(?:was|stood\s+at|of|had\s+(?:reached|grown\s+to))\s+(?P<v>" + _NUM + r")\b(?!\s*(?:%|days?|weeks?|months?))",
    re.I,
))
# "300 people waiting for an Occupational Therapy assessment", "410 people were awaiting assessment".
PEOPLE_WAITING = Prefiltered(re.compile(
    r"\b(?P<v>" + _NUM + r")\s+(?P<who>people|residents|carers|adults|cases|referrals|applications)\s+"
    r"(?:were\s+|are\s+)?(?P<what>(?:awaiting|waiting\s+(?:for|on)|on\s+the\s+waiting\s+list\s+for|who\s+had\s+overdue)"
    r"\s+[^.;,\d\n]{2,60}?)(?=\s+(?:in|at|by|which|and|was|were|had|from)\b|[.;,]|$)",
    re.I,
))
# A figure with a unit, the candidate value of a comparison stated later.
VALUE_WITH_UNIT = re.compile(r"(?<![\w.])(?P<v>" + _NUM + r")\s?(?P<u>" + _UNIT + r")")
# Words that show a sentence is about waiting times and lists.
WAIT_WORD = Prefiltered(re.compile(r"\b(?:wait\w*|awaiting|backlog|overdue)\b", re.I))
# Standalone figures: "6% of residents were dissatisfied", "over 2,000 cases ... cleared", "1.5 w.t.e.".
STANDALONE_PERCENT = Prefiltered(re.compile(
    r"(?P<v>" + _NUM + r")\s?(?P<unit>%|per\s?cent\b)\s+of\s+(?P<what>[^.;,()\n]{3,90})", re.I,
))
STANDALONE_COUNT = Prefiltered(re.compile(
    r"(?P<qual>\b(?:over|more\s+than|around|about|almost|nearly|some)\s+)?(?P<v>" + _NUM + r")\s+"
    r"(?P<unit>cases|people|residents|complaints|households|w\.?t\.?e\.?|FTE)(?P<what>[^.;,()\n]{3,80})",
    re.I,
))
# Words that end a description taken from before a value ("... remained consistent at").
DESC_TAIL = re.compile(
    r"(?:\s+(?:at|was|were|is|are|remained|remains|consistent|stood|had|has|have|been|risen|fallen|from|to|of|by|"
    r"now|currently|increased|decreased|reduced|which|that|with|the))+\s*$",
    re.I,
)
# A reporting frame before a description: "The survey also reported", "data showed that".
DESC_LEAD = re.compile(
    r"^(?:(?:the|this|a|an)\s+[\w()' -]{0,40}?\s+)?(?:also\s+)?(?:reported|showed|shows|indicated|noted|found|"
    r"suggested|revealed)\s+(?:that\s+)?",
    re.I,
)
CLAUSE_BREAK = re.compile(
    r"(?:,\s+|;\s+|:\s+|\bthat\s+|\bwhich\s+|\bwhilst\s+|\bwhile\s+|\bwhere\s+|\band\s+(?=the\b))"
)
# A clause that starts with a verb: not a description ("was far higher in ...").
VERB_START = re.compile(r"^(?:was|were|is|are|had|has|again|also)\b", re.I)
# The rest of a description after it turns to something else: "... and this was under review".
CLAUSE_TAIL = re.compile(
    r"\s+(?:and|but|which|as|whilst|while)\s+(?:this|it|there|the|that|currently|now)\b.*$|\s+in\s+" + _MONTH_YEAR + r".*$",
    re.I,
)
# A paragraph number at the start of a sentence: "4.3 The Director reported ...".
PARA_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")
SENTENCE_END = re.compile(r"\.(?=\s|$)|[?!](?=\s|$)|\n")
PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
# A figure: every statistic pattern above (COMPARISON ... STANDALONE_COUNT) needs one, through _NUM.
DIGIT = re.compile(r"\d")
UNITS = {"%": "percent", "per cent": "percent", "percent": "percent", "percent ": "percent"}


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, AttributeError):
        return None


def _unit(text: str | None, default: str = "count") -> str:
    if not text:
        return default
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in ("%", "per cent", "percent", "percent"):
        return "percent"
    if t.startswith("w") or t == "fte":
        return "wte"
    if t in ("people", "residents", "cases", "complaints", "households", "carers", "adults", "referrals", "applications"):
        return "count"
    return t if t.endswith("s") else t + "s"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,;:-")


def _sentence_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence of ``text[start:end]`` within the paragraph ``[lo, hi)``."""
    left = lo
    for m in SENTENCE_END.finditer(text, lo, start):
        left = m.end()
    m = SENTENCE_END.search(text, end, hi)
    right = m.end() if m else hi
    while left < right and text[left].isspace():
        left += 1
    return left, right


def _describe_after(text: str, start: int, limit: int) -> str | None:
    """The description that follows a value: ``of people felt safe ...``."""
    tail = text[start:limit]
    m = re.match(r"\s*(?:of\s+)?(?P<d>[A-Za-z][^.;()\n]{3,140}?)(?=\.\s|\.$|;|\s+This\b|\s*\(|,\s+(?:and|which|but)\b|$)", tail)
    if not m or not re.match(r"\s*(?:of\s+|[A-Za-z])", tail):
        return None
    desc = _tidy(m.group("d"))
    if re.match(r"(?:which|than|and|as|this|but|to|in)\b", desc, re.I):
        return None
    return desc


def _describe_before(text: str, sent_start: int, value_start: int) -> str:
    """The description that precedes a value: ``resident satisfaction stood at``."""
    head = PARA_NUMBER.sub("", text[sent_start:value_start])
    desc = head
    for piece in reversed(CLAUSE_BREAK.split(head)):
        piece = DESC_TAIL.sub("", piece.strip(" ,;:("))
        if len(piece.split()) >= 2 and not VERB_START.match(piece):
            desc = piece
            break
    desc = DESC_LEAD.sub("", desc.strip())
    return _tidy(desc)


def _tidy(desc: str) -> str:
    """A description without what follows its clause."""
    return _squash(CLAUSE_TAIL.sub("", _squash(desc)))


class _Context:
    """Per-paragraph state: the data source, its period and the last month stated."""

    def __init__(self) -> None:
        self.source: str | None = None
        self.period: str | None = None


def _last_before(pattern: re.Pattern, text: str, lo: int, at: int) -> re.Match | None:
    last = None
    for m in pattern.finditer(text, lo, at):
        last = m
    return last


def find_observations(document, *, standalone: bool = False, waits: bool = True) -> list[Observation]:
    """Every statistic with a comparator (and waiting figures) in ``document.text``."""
    text = document.text
    out: list[Observation] = []
    for para in PARAGRAPH.finditer(text):
        lo, hi = para.start(), para.end()
        if not DIGIT.search(text, lo, hi):
            continue  # no figure, so no statistic: each pattern the readers below use needs a \d
        used: list[tuple[int, int]] = []
        found = _comparisons(document, text, lo, hi, used)
        found += _changes(document, text, lo, hi, used)
        if waits:
            found += _waits(document, text, lo, hi, used)
        if standalone:
            found += _standalone(document, text, lo, hi, used)
        out.extend(o for _, o in sorted(found, key=lambda pair: pair[0]))
    return out


def _free(used: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in used)


def _source_for(text: str, lo: int, at: int) -> tuple[str | None, str | None]:
    m = _last_before(SOURCE, text, lo, at)
    if not m:
        return None, None
    return _squash(m.group("source")), re.sub(r"\s+", "", m.group("period"))


def _comparisons(document, text, lo, hi, used) -> list[tuple[int, Observation]]:
    found = []
    previous_end = lo
    for m in COMPARISON.finditer(text, lo, hi):
        cv = _decimal(m.group("cv"))
        cv_unit = _unit(m.group("cv_unit"))
        if m.group("inline"):
            v_start, v_end = m.start("inline"), m.end("inline")
            value, unit = _decimal(m.group("inline")), _unit(m.group("inline_unit"), cv_unit)
        else:
            candidate = _last_before(VALUE_WITH_UNIT, text, previous_end, m.start()) if cv_unit != "count" else None
            if candidate is None:
                previous_end = m.end()
                continue
            v_start, v_end = candidate.start("v"), candidate.end()
            value, unit = _decimal(candidate.group("v")), _unit(candidate.group("u"))
        previous_end = m.end()
        if value is None or cv is None:
            continue
        s_start, _ = _sentence_bounds(text, v_start, v_end, lo, hi)
        indicator = _describe_after(text, v_end, hi) or _describe_before(text, s_start, v_start)
        comparator = _squash(COMPARATOR_LEAD.sub("", m.group("comparator")))
        direction = re.sub(r"^the\s+similar$", "similar", _squash(m.group("direction")).lower())
        direction = re.sub(r"^a\s+", "", direction)
        source, period = _source_for(text, lo, v_start)
        ev_start = min(s_start, v_start)
        found.append((v_start, Observation(
            indicator=indicator, value=value, unit=unit, evidence=document.span(ev_start, m.end()),
            period=period, comparator=comparator, comparator_value=cv, direction=direction, source=source,
        )))
        used.append((v_start, m.end()))
    for m in COMPARED.finditer(text, lo, hi):
        if not _free(used, m.start(), m.end()):
            continue
        value, cv = _decimal(m.group("v")), _decimal(m.group("cv"))
        if value is None or cv is None:
            continue
        s_start, _ = _sentence_bounds(text, m.start(), m.end(), lo, hi)
        desc = _squash(re.sub(r"^\s*of\s+", "", m.group("desc"))) or _describe_before(text, s_start, m.start())
        found.append((m.start(), Observation(
            indicator=desc, value=value, unit=_unit(m.group("unit")), evidence=document.span(m.start(), m.end()),
            comparator=_squash(m.group("comparator")) or "earlier figure", comparator_value=cv,
        )))
        used.append((m.start(), m.end()))
    return found


def _changes(document, text, lo, hi, used) -> list[tuple[int, Observation]]:
    found = []
    for m in CHANGE.finditer(text, lo, hi):
        if not _free(used, m.start(), m.end()):
            continue
        if m.group("to") is not None:
            value, cv = _decimal(m.group("to")), _decimal(m.group("from"))
            unit = m.group("u2") or m.group("u1")
            period, comparator = m.group("d2"), m.group("d1")
        else:
            value, cv = _decimal(m.group("to2")), _decimal(m.group("from2")) if m.group("from2") else None
            unit = m.group("u3") or m.group("u4")
            period, comparator = m.group("d3"), None
            if cv is None:
                continue
        if value is None or cv is None:
            continue
        s_start, s_end = _sentence_bounds(text, m.start(), m.end(), lo, hi)
        mid = _squash(re.sub(r"^(?:of\s+)?(?:the\s+)?", "", m.group("mid").strip()))
        before = _describe_before(text, s_start, m.start())
        indicator = mid if mid else before
        obs = Observation(
            indicator=indicator, value=value, unit=_unit(unit), evidence=document.span(max(s_start, m.start() - 80), m.end()),
            period=_squash(period) if period else None,
            comparator=_squash(comparator) if comparator else "previously", comparator_value=cv,
            direction=m.group("verb").lower(),
        )
        obs.evidence = document.span(*_trim_left(text, s_start, m.start(), m.end()))
        found.append((m.start(), obs))
        used.append((m.start(), m.end()))
        target = TARGET.search(text, m.end(), s_end)
        if target:
            found.append((target.start(), Observation(
                indicator=indicator, value=value, unit=obs.unit, evidence=document.span(target.start(), target.end()),
                period=obs.period, comparator="target", comparator_value=_decimal(target.group("v")),
            )))
            used.append((target.start(), target.end()))
    return found


def _trim_left(text: str, s_start: int, start: int, end: int, words: int = 12) -> tuple[int, int]:
    """Evidence from at most ``words`` words before ``start`` (within the sentence) to ``end``."""
    head = list(re.finditer(r"\S+", text[s_start:start]))
    left = s_start + head[-words].start() if len(head) > words else s_start
    return left, end


def _waits(document, text, lo, hi, used) -> list[tuple[int, Observation]]:
    found = []
    last_what: dict[int, str] = {}
    for m in WAIT_STAT.finditer(text, lo, hi):
        s_start, s_end = _sentence_bounds(text, m.start(), m.end(), lo, hi)
        if not _free(used, m.start("v"), m.end()) or not WAIT_WORD.search(text, s_start, s_end):
            continue
        what = _tidy(m.group("what"))
        what = re.sub(r"^(?:time|waiting\s+time|wait)\s*$", "wait", what, flags=re.I)
        if not what or what.lower() in ("wait", "waiting time"):
            what = last_what.get(s_start) or "wait"
        elif what.lower().startswith(("wait", "time")):
            last_what[s_start] = what
        else:
            what = what if not what.lower().startswith("was") else "wait"
        period = _period_near(text, lo, s_start, s_end, m.end())
        found.append((m.start(), Observation(
            indicator=f"{m.group('stat').lower()} {what}", value=_decimal(m.group("v")), unit=_unit(m.group("unit")),
            evidence=document.span(*_trim_left(text, s_start, m.start(), m.end())), period=period,
        )))
        used.append((m.start("v"), m.end()))
    for pattern in (WAIT_LIST, PEOPLE_WAITING):
        for m in pattern.finditer(text, lo, hi):
            if not _free(used, m.start("v"), m.end("v")):
                continue
            s_start, s_end = _sentence_bounds(text, m.start(), m.end(), lo, hi)
            if pattern is WAIT_LIST:
                indicator = "waiting list " + _squash(m.group("what") or "")
            else:
                indicator = f"{m.group('who').lower()} {_squash(m.group('what'))}"
            date = m.groupdict().get("date")
            period = _squash(date) if date else _period_near(text, lo, s_start, s_end, m.end())
            found.append((m.start(), Observation(
                indicator=indicator.strip(), value=_decimal(m.group("v")), unit="count",
                evidence=document.span(*_trim_left(text, s_start, m.start(), m.end())), period=period,
            )))
            used.append((m.start("v"), m.end("v")))
    return found


def _period_near(text: str, lo: int, s_start: int, s_end: int, at: int) -> str | None:
    """The month (or rolling period) a figure refers to: in its sentence, else earlier in the paragraph."""
    inside = list(MONTH_PERIOD.finditer(text, s_start, s_end))
    if inside:
        after = [d for d in inside if d.start() >= at and d.start() - at < 25]
        before = [d for d in inside if d.end() <= at]
        best = after[0] if after else before[-1] if before else inside[0]
        return _squash(best.group())
    earlier = _last_before(MONTH_PERIOD, text, lo, s_start)
    return _squash(earlier.group()) if earlier else None


def _standalone(document, text, lo, hi, used) -> list[tuple[int, Observation]]:
    found = []
    for pattern in (STANDALONE_PERCENT, STANDALONE_COUNT):
        for m in pattern.finditer(text, lo, hi):
            if not _free(used, m.start("v"), m.end("v")):
                continue
            value = _decimal(m.group("v"))
            if value is None:
                continue
            what = _tidy(m.group("what"))
            if pattern is STANDALONE_COUNT:
                what = _squash(f"{m.group('unit')} {what}")
            s_start, _ = _sentence_bounds(text, m.start(), m.end(), lo, hi)
            found.append((m.start(), Observation(
                indicator=what, value=value, unit=_unit(m.group("unit")),
                evidence=document.span(*_trim_left(text, s_start, m.start(), m.end())),
            )))
            used.append((m.start("v"), m.end("v")))
    return found
