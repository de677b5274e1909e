"""Loader for CQC local authority assessments (the Care Quality Commission's published layout).

Structure relied on (markdown as CQC publishes it; heading marks may be missing or of any
level, as in text converted from HTML or PDF):

* a title line ``<Council>: local authority assessment`` and ``Assessment published: <date>``;
* an "About <Council>" part, then a "Financial facts" block of bullet items: the estimated
  total budget and actual spend for a financial year with the difference ("£X more than
  estimated"), the same for adult social care, the share of the budget spent on adult social
  care and the adult social care precept;
* "Local authority rating and score": a line holding just the overall rating (Outstanding,
  Good, Requires improvement, Inadequate);
* "Quality statement scores": each statement name on a line followed by ``Score: N``;
* the detailed part: ``Theme N: <theme>`` headings, each listing its quality statements, then
  one section per statement, again ``<name>`` / ``Score: N`` / ``N - Evidence shows ...``. The
  statement name in the list of scores may differ from its own heading; the heading wins and
  the list's spelling is kept as a variant (and as a claim, so the difference can be queried);
* a "Summary of strengths, areas for development and next steps" part in prose;
* national indicators in prose with an England-average comparator, and operational figures
  (waiting lists, median and maximum waits) dated by month (see ``_observations``).
"""

from __future__ import annotations

import difflib
import re

from councilkg.errors import DocumentRejected
from councilkg.model import (
    Claim, ConceptMention, CouncilMention, Event, Extraction, FinancialFact, QualityStatement, Rating, Statement,
)
from councilkg.loaders import Document, Loader
from councilkg.loaders._concepts import recognise
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._observations import find_observations
from councilkg.loaders._people import find_organisations, find_people
from councilkg.loaders._text import find_dates, find_money, find_percentages, squash

# --- patterns -------------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
# "# <Council>: local authority assessment" (any heading level, or none).
TITLE = Prefiltered(re.compile(
    r"^#*\s*(?P<title>(?P<council>[^\n:]{3,80}?)\s*[:–-]\s*local authority assessment)\s*$", re.I | re.M,
))
# "Assessment published: 1 March 2025" (also "Published on ...", "Date published: ...").
PUBLISHED = Prefiltered(re.compile(
    r"^\W*(?:assessment\s+)?(?:date\s+)?published(?:\s+on)?\s*:?\s*(?P<date>[^\n]{6,40})$", re.I | re.M,
))
# "About <Council>": a fallback for the council's name.
ABOUT = Prefiltered(re.compile(r"^#*\s*About\s+(?P<council>[^\n]{3,80}?)\s*$", re.M))
# A line holding only a rating, and an inline "Overall rating: Good".
RATING_LINE = Prefiltered(re.compile(
    r"^#*\s*(?P<r>Outstanding|Good|Requires improvement|Inadequate)\s*\.?\s*$", re.I | re.M,
))
RATING_INLINE = Prefiltered(re.compile(
    r"\b(?:overall\s+)?rating(?:\s+and\s+score)?\s*[:–-]\s*(?P<r>Outstanding|Good|Requires improvement|Inadequate)\b", re.I
))
# "Score: 2", "## Score: 3", "Score 2/4", "Score: 2 - Evidence shows some shortfalls" (CQC wording).
SCORE_LINE = Prefiltered(re.compile(
    r"^#*\s*Score\s*[:\-–]?\s*(?P<s>[1-4])(?:\s*(?:/|out\s+of)\s*4)?(?:\s*[-–:]\s*(?P<w>Evidence\s+shows[^\n]*?))?\s*$",
    re.I | re.M,
))
# "2 - Evidence shows some shortfalls".
WORDING_LINE = Prefiltered(re.compile(
    r"^#*\s*(?:[1-4]\s*[-–:]\s*)?(?P<w>Evidence\s+shows\s+(?:significant\s+shortfalls|some\s+shortfalls|"
    r"a\s+good\s+standard|an\s+exceptional\s+standard))\s*\.?\s*$",
    re.I | re.M,
))
# "# Theme 1: How <Council> works with people".
THEME = Prefiltered(re.compile(r"^#*\s*Theme\s+\d+\s*[:.\-–]\s*(?P<theme>[^\n]+?)\s*$", re.I | re.M))
# Detection cues besides the title, scores and themes.
CUE_PUBLISHED = Prefiltered(re.compile(r"^\W*assessment\s+published", re.I | re.M))
CUE_QUALITY_STATEMENTS = Prefiltered(re.compile(r"\bquality statements?\b", re.I))
CUE_CARE_ACT = Prefiltered(re.compile(r"\bCare Act\b"))
# A markdown rule or heading marks around a line.
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
HEADING_MARKS = re.compile(r"^#+\s*")
# Any heading: a markdown heading, or in plain text a short line without final punctuation.
HEADING = re.compile(r"^(?:#+\s*[^\n]+|[A-Z][^\n.:;!?]{2,80})$", re.M)
FINANCIAL_HEADING = Prefiltered(re.compile(r"^#*\s*Financial facts\b[^\n]*$", re.I | re.M))
STRENGTHS_HEADING = Prefiltered(re.compile(r"^#*\s*Summary of strengths[^\n]*$", re.I | re.M))
# Financial facts wording.
FY = re.compile(r"\b(?:19|20)\d{2}\s*/\s*\d{2}\b")
ASC = re.compile(r"\badult social care\b|\bASC\b", re.I)
ACTUAL = re.compile(r"\bactual\s+(?:spend|expenditure|outturn)\b[^£]{0,30}$", re.I)
ESTIMATED = re.compile(r"\b(?:estimated|budget\s+would\s+be|would\s+spend|planned|forecast)\b[^£]{0,80}$", re.I)
DIFFERENCE = re.compile(r"^\s*(?P<dir>more|less|higher|lower)\s+than\s+(?:estimated|budgeted|planned)", re.I)
SHARE = re.compile(r"of\s+the\s+(?:total\s+)?budget\s+was\s+spent\s+on\s+adult\s+social\s+care", re.I)
PRECEPT = re.compile(r"\bprecept\b", re.I)
NO_PRECEPT = re.compile(r"\b(?:not|did\s+not|has\s+not)\s+(?:raised?|apply|applied)\b[^.]{0,40}\bprecept\b", re.I)
# Dated events: "went live again in June 2021", "was permanently appointed in May 2023".
EVENT_VERB = Prefiltered(re.compile(
    r"\b(?:went\s+live(?:\s+again)?|(?:was|were)\s+(?:permanently\s+|formally\s+)?appointed|"
    r"(?:was|were)\s+(?:created|launched|established|set\s+up|introduced)|began\s+the\s+liquidation\s+process|"
    r"(?:went|entered)\s+into\s+(?:liquidation|administration)|ran\s+from)\b",
    re.I,
))
# A subject that ends in a proper name ("... to recover <System>"): the name is the subject.
CAPITALISED_END = re.compile(r"(?:\b[A-Z][\w'’-]*\s*)+$")
PASSIVE = re.compile(r"^(?:was|were)\s+", re.I)
EVENT_SUBJECT_LEAD = re.compile(r"^(?:(?:to|the|a|an|of|and|in|its|their|which|that|this)\s+)+", re.I)
# A named plan or strategy with its period: "Carers Five-year plan (2021-2026)".
PLAN_PERIOD = Prefiltered(re.compile(
    r"(?P<name>(?:[A-Z][\w'’-]*|(?:one|two|three|four|five|ten)[- ]year)(?:\s+(?:[A-Z][\w'’-]*|(?:one|two|three|four|five|ten)[- ]year|and|for|of)){0,6}?"
    r"\s+(?:[Pp]lan|[Ss]trategy|[Pp]rogramme))\s*\(?\s*(?P<period>(?:19|20)\d{2}\s*[-–/]\s*(?:(?:19|20)\d{2}|\d{2}))\b"
))
# When a named team or service started: "a Front Door team, which was created in 2022".
STARTED = Prefiltered(re.compile(
    r"(?P<name>[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|and|of|for)){0,5}\s+(?:team|service|hub|board|panel))\s*,?\s*"
    r"(?:which\s+)?(?:was|were)\s+(?:created|launched|established|set\s+up|formed)\s+in\s+"
    r"(?P<date>(?:(?:early|late|mid|the\s+end\s+of|spring|summer|autumn|winter)[\s-]+)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d{2})"
))
# Sentences of the strengths summary that name a shortfall rather than a strength.
SHORTFALL = re.compile(
    r"\b(?:but|however|not|no|lack\w*|limited|delay\w*|wait\w*|backlog|shortfall\w*|inconsistent|unclear|worse|"
    r"under-identified|reactive|less\s+robust|needed|need\s+to|more\s+work)\b",
    re.I,
)
STRENGTH = re.compile(
    r"\b(?:good|strong|clear|effective|positive\w*|well|proactive\w*|supported|improv\w*|robust|embraced|ownership|"
    r"strength\w*|sufficient|energy|invested|understood)\b",
    re.I,
)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?=\s|$)|$)")

MEASURES = {
    ("total", "estimated"): "total budget (estimated)",
    ("total", "actual"): "total spend (actual)",
    ("total", "more"): "total spend above estimate",
    ("total", "less"): "total spend below estimate",
    ("asc", "estimated"): "adult social care budget (estimated)",
    ("asc", "actual"): "adult social care spend (actual)",
    ("asc", "more"): "adult social care spend above estimate",
    ("asc", "less"): "adult social care spend below estimate",
}


class CqcAssessmentLoader(Loader):
    """CQC local authority assessment: rating, quality statements, financial facts, indicators."""

    kind = "cqc-assessment"
    version = "1"
    description = "CQC local authority assessment (Care Act duties): rating, scores, indicators"

    def detect(self, text: str) -> float | None:
        if not text or not text.strip():
            return None
        score = 0.0
        score += 0.45 if TITLE.search(text) else 0.0
        score += 0.15 if CUE_PUBLISHED.search(text) else 0.0
        scores = len(SCORE_LINE.findall(text))
        score += 0.25 if scores >= 3 else 0.1 if scores else 0.0
        score += 0.15 if WORDING_LINE.search(text) else 0.0
        score += 0.1 if CUE_QUALITY_STATEMENTS.search(text) else 0.0
        score += 0.05 if THEME.search(text) else 0.0
        score += 0.05 if CUE_CARE_ACT.search(text) else 0.0
        return min(score, 1.0) or None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        if not text.strip():
            raise DocumentRejected(document.name, "the document is empty; give a CQC assessment with text")
        ex = self.new_extraction()
        self._header(document, ex)
        self._rating(document, ex)
        ex.quality_statements = _quality_statements(document)
        ex.financial_facts = _financial_facts(document)
        ex.observations = find_observations(document)
        ex.risks, risk_events = recognise(document, "risk")
        ex.interventions, intervention_events = recognise(document, "intervention")
        _derived_risks(document, ex)
        for mention in ex.interventions:
            if mention.notation == "cqc-assessment":
                mention.date = mention.date or ex.date
                mention.outcome = mention.outcome or (ex.rating.value if ex.rating else None)
        ex.events = risk_events + intervention_events + _events(document)
        if ex.date and ex.date_evidence:
            ex.events.append(Event("CQC assessment published", ex.date, ex.date_evidence, "cqc-assessment"))
        council = ex.council.name if ex.council else None
        ex.people = [p for p in find_people(document) if p.name is None or not council or council not in p.name]
        ex.organisations = find_organisations(document, exclude=(council,) if council else ())
        ex.statements = _strengths(document)
        ex.claims = _claims(document, ex)
        if not ex.quality_statements:
            ex.warnings.append(f"{document.name}: no quality statement scores found")
        return ex

    @staticmethod
    def _header(document: Document, ex: Extraction) -> None:
        text = document.text
        m = TITLE.search(text)
        if m:
            ex.title = squash(m.group("title"))
            ex.title_evidence = document.span(m.start("title"), m.end("title"))
            ex.council = CouncilMention(squash(m.group("council")), document.span(m.start("council"), m.end("council")))
        else:
            about = ABOUT.search(text)
            if about:
                ex.council = CouncilMention(squash(about.group("council")),
                                            document.span(about.start("council"), about.end("council")))
        p = PUBLISHED.search(text)
        if p:
            dates = find_dates(p.group("date"))
            if dates:
                ex.date = dates[0].date
                ex.date_evidence = document.span(p.start(), p.end())

    @staticmethod
    def _rating(document: Document, ex: Extraction) -> None:
        text = document.text
        heading = re.search(r"rating(?:\s+and\s+score)?\s*$", text, re.I | re.M)
        start = heading.end() if heading else 0
        m = RATING_LINE.search(text, start) or RATING_INLINE.search(text)
        if m:
            value = m.group("r").capitalize()
            ex.rating = Rating(value, document.span(m.start("r"), m.end("r")))


def _lines(text: str):
    """``(start, end, content)`` of each non-empty line."""
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            yield m.start(), m.end(), m.group()


def _quality_statements(document: Document) -> list[QualityStatement]:
    text = document.text
    lines = [ln for ln in _lines(text) if not RULE.match(ln[2])]
    themes = [(m.start(), squash(m.group("theme"))) for m in THEME.finditer(text)]
    first_theme = themes[0][0] if themes else len(text)
    found = []  # (position, name, name span, score, wording, wording span)
    for i, (start, end, content) in enumerate(lines):
        m = SCORE_LINE.match(content)
        if not m or i == 0:
            continue
        n_start, n_end, name_line = lines[i - 1]
        name = squash(HEADING_MARKS.sub("", name_line))
        if SCORE_LINE.match(name_line) or len(name.split()) > 12 or name.endswith("."):
            continue
        wording, w_span = m.group("w"), (start, end)
        if not wording and i + 1 < len(lines):
            w = WORDING_LINE.match(lines[i + 1][2])
            if w:
                wording, w_span = w.group("w"), (lines[i + 1][0], lines[i + 1][1])
        name_offset = n_start + name_line.find(name)
        found.append((start, name, (name_offset, name_offset + len(name)), int(m.group("s")),
                      squash(wording) if wording else None, w_span))
    summary = [f for f in found if f[0] < first_theme]
    detailed = [f for f in found if f[0] >= first_theme] or summary
    if detailed is summary:
        summary = []
    out: list[QualityStatement] = []
    matched: set[int] = set()
    for d in detailed:
        theme = next((t for pos, t in reversed(themes) if pos < d[0]), None)
        qs = QualityStatement(d[1], d[3], document.span(d[2][0], d[5][1]), theme=theme, wording=d[4])
        partner = _partner(d, summary, matched)
        if partner is not None:
            matched.add(partner)
            if squash(summary[partner][1]).lower() != d[1].lower():
                qs.name_variants.append(summary[partner][1])
        out.append(qs)
    for i, s in enumerate(summary):
        if i not in matched:
            out.append(QualityStatement(s[1], s[3], document.span(s[2][0], s[5][1]), wording=s[4]))
    return out


def _partner(item, summary, matched) -> int | None:
    """The list entry for a detailed statement: same name, else the closest name with the same score."""
    best, best_ratio = None, 0.0
    for i, s in enumerate(summary):
        if i in matched:
            continue
        if s[1].lower() == item[1].lower():
            return i
        ratio = difflib.SequenceMatcher(None, s[1].lower(), item[1].lower()).ratio()
        if s[3] == item[3] and ratio > best_ratio:
            best, best_ratio = i, ratio
    return best if best_ratio >= 0.8 else None


def _section(text: str, heading: re.Pattern) -> tuple[int, int] | None:
    """Bounds of the part under a heading, up to the next heading line."""
    m = heading.search(text)
    if not m:
        return None
    end = len(text)
    for h in HEADING.finditer(text, m.end()):
        line = h.group()
        if line.startswith("#") or (len(line.split()) <= 8 and not line.startswith(("-", "•", "·", "*"))):
            end = h.start()
            break
    return m.end(), end


def _financial_facts(document: Document) -> list[FinancialFact]:
    text = document.text
    bounds = _section(text, FINANCIAL_HEADING)
    if not bounds:
        return []
    facts: list[FinancialFact] = []
    period = None
    for start, end, item in _lines(text[bounds[0]:bounds[1]]):
        start, end = start + bounds[0], end + bounds[0]
        fy = FY.search(item)
        period = re.sub(r"\s+", "", fy.group()) if fy else period
        subject = "asc" if ASC.search(item) else "total"
        for amount in find_money(item):
            before, after = item[:amount.start], item[amount.end:]
            diff = DIFFERENCE.match(after)
            kind = (diff.group("dir").lower().replace("higher", "more").replace("lower", "less") if diff
                    else "actual" if ACTUAL.search(before) else "estimated" if ESTIMATED.search(before) else None)
            if kind is None:
                continue
            ev_start = _clause_start(item, amount.start)
            ev_end = amount.end + (diff.end() if diff else 0)
            facts.append(FinancialFact(MEASURES[(subject, kind)], amount.value, "GBP", amount.as_written,
                                       document.span(start + ev_start, start + ev_end), period))
        for pct in find_percentages(item):
            measure = ("share of budget spent on adult social care" if SHARE.search(item[pct.end:pct.end + 80])
                       else "adult social care precept" if PRECEPT.search(item) and not NO_PRECEPT.search(item)
                       else None)
            if measure:
                s_start = _clause_start(item, pct.start)
                s_end = item.find(".", pct.end)
                facts.append(FinancialFact(measure, pct.value, "percent", pct.as_written,
                                           document.span(start + s_start, start + (s_end + 1 if s_end >= 0 else len(item))),
                                           period))
    return facts


def _clause_start(item: str, at: int) -> int:
    """Where the sentence holding ``item[at]`` starts (a full stop, or a capital after a year)."""
    dot = item.rfind(". ", 0, at)
    joined = [m.end() for m in re.finditer(r"(?<=\d)\s+(?=(?:Its|The|This)\b)", item[:at])]
    candidates = [dot + 2 if dot >= 0 else 0] + joined
    start = max(candidates)
    return start + len(item[start:]) - len(item[start:].lstrip("- •·*"))


def _derived_risks(document: Document, ex: Extraction) -> None:
    """Adult social care spending above its estimate is evidence of an overspend."""
    over = [f for f in ex.financial_facts if f.measure == MEASURES[("asc", "more")] and f.value > 0]
    if not over:
        return
    known = next((r for r in ex.risks if r.notation == "asc-overspend"), None)
    actual = next((f for f in ex.financial_facts if f.measure == MEASURES[("asc", "actual")]), None)
    start = actual.evidence if actual else over[0].evidence
    text_start = document.text.find(start.quote)
    evidence = document.span(text_start, document.text.find(over[0].evidence.quote) + len(over[0].evidence.quote)) \
        if text_start >= 0 else over[0].evidence
    if known is None:
        ex.risks.append(ConceptMention("risk", "asc-overspend", evidence))
    elif evidence != known.evidence:
        known.more_evidence.insert(0, evidence)


def _events(document: Document) -> list[Event]:
    text = document.text
    out: list[Event] = []
    for m in EVENT_VERB.finditer(text):
        s_start = max(text.rfind(". ", 0, m.start()) + 2, text.rfind("\n", 0, m.start()) + 1)
        ends = [i for i in (text.find(". ", m.end()) + 1, text.find("\n", m.end())) if i > 0]
        s_end = min(ends) if ends else len(text)
        after = [d for d in find_dates(text[m.end():min(m.end() + 40, s_end)], years=True) if d.start <= 25]
        before = [d for d in find_dates(text[max(s_start, m.start() - 40):m.start()], years=True)]
        date = after[0].date if after else before[-1].date if before else None
        if date is None:
            continue
        head = re.split(r"[,;:]\s*|\bwhich\b|\bthat\b", text[s_start:m.start()])
        subject = next((h for h in reversed(head) if h.strip()), "")
        subject = re.sub(r"^.*\b(?:19|20)\d{2}\b", "", subject)
        named = CAPITALISED_END.search(subject.strip())
        subject = named.group() if named else subject
        words = EVENT_SUBJECT_LEAD.sub("", " ".join(subject.split()[-5:]))
        verb = PASSIVE.sub("", m.group())
        label = squash(f"{words} {verb}") if words else squash(m.group())
        out.append(Event(label, date, document.span(s_start, s_end)))
    return out


def _strengths(document: Document) -> list[Statement]:
    text = document.text
    bounds = _section(text, STRENGTHS_HEADING)
    if not bounds:
        return []
    out = []
    for m in SENTENCE.finditer(text, bounds[0], bounds[1]):
        sentence = m.group()
        if len(sentence.split()) < 5:
            continue
        category = ("area-for-development" if SHORTFALL.search(sentence)
                    else "strength" if STRENGTH.search(sentence) else None)
        if category:
            out.append(Statement(category, document.span(m.start(), m.end())))
    return out


def _claims(document: Document, ex: Extraction) -> list[Claim]:
    """Values that another statement (here or in another document) may contradict."""
    text = document.text
    claims: list[Claim] = []
    seen: set[tuple[str, str, str]] = set()

    def add(subject: str, prop: str, value: str, evidence, scope: str = "council") -> None:
        key = (subject, prop, value)
        if key not in seen:
            seen.add(key)
            claims.append(Claim(subject, prop, value, evidence, scope))

    for event in sorted((e for e in ex.events if e.notation and e.notation != "cqc-assessment"),
                        key=lambda e: -len(e.date.iso())):
        add(event.notation, "year", str(event.date.year), event.evidence)
    for n, qs in enumerate(ex.quality_statements, start=1):
        at = _heading_at(text, qs.name)
        add(f"quality statement {n}", "name", qs.name,
            document.span(at, at + len(qs.name)) if at >= 0 else qs.evidence, "document")
        for variant in qs.name_variants:
            at = text.find(variant)
            add(f"quality statement {n}", "name", variant,
                document.span(at, at + len(variant)) if at >= 0 else qs.evidence, "document")
    for m in PLAN_PERIOD.finditer(text):
        name = re.sub(r"^the\s+", "", re.sub(r"[\s-]+", " ", m.group("name")).lower())
        add(name, "period", re.sub(r"\s+", "", m.group("period")).replace("–", "-"),
            document.span(m.start(), m.end()))
    for m in STARTED.finditer(text):
        name = re.sub(r"^(?:an?|the)\s+", "", re.sub(r"\s+", " ", m.group("name")).lower())
        add(name, "start date", squash(m.group("date")), document.span(m.start(), m.end()))
    return claims


def _heading_at(text: str, name: str) -> int:
    """Where ``name`` starts on the last line holding only it (after any '#' marks and blanks), or -1.

    The line of the last match of ``^#*[ \t]*<name>[ \t]*$`` (multiline); found by looking back
    from the end with ``str.rfind`` rather than scanning the whole text with a pattern per name.
    As with that match, the position is the line's end less the name's length.
    """
    if not name or "\n" in name:
        headings = list(re.finditer(r"^#*[ \t]*" + re.escape(name) + r"[ \t]*$", text, re.M))
        return headings[-1].end() - len(name) if headings else -1
    at = text.rfind(name)
    while at >= 0:
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at + len(name))
        line_end = len(text) if line_end < 0 else line_end
        marks, rest = text[line_start:at], text[at + len(name):line_end]
        if not marks.lstrip("#").strip(" \t") and not rest.strip(" \t"):
            return line_end - len(name)
        at = text.rfind(name, 0, at + len(name) - 1)  # the previous occurrence, overlapping or not
    return -1
