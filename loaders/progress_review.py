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
from councilkg.loaders import _money_facts, _peers, _recommendations
from councilkg.loaders._self_assessment import NUMBER_WORD, action_plan_shares, number_value, rag_counts, sentences
from councilkg.loaders._concepts import recognise, rules
from councilkg.loaders._text import find_dates
from councilkg.model import (
    Claim, CouncilMention, Event, Extraction, OrganisationMention, PartialDate, Peer, PersonMention, 
)

# --- patterns -------------------------------------------------------------------
# Detection cues.
CUE_PROGRESS_REVIEW = re.compile(r"\bprogress\s+review\b", re.I)
CUE_PEER_CHALLENGE = re.compile(r"\bcorporate\s+peer\s+challenge\b|\bCPC\b|\bpeer\s+challenge\b", re.I)
CUE_PEER_TEAM = re.compile(r"\bpeer\s+(?:challenge\s+)?team\b|\bpeers\b", re.I)
CUE_LGA = re.compile(r"\bLGA\b|\bLocal Government Association\b")
CUE_RECOMMENDATION = re.compile(r"\brecommendations?\b", re.I)
NONBLANK_LINE = re.compile(r"[^\n]*\S[^\n]*")
# "1. Introduction": the first numbered section ends the header.
SECTION_HEADING = re.compile(r"^\s*\d{1,2}\.?\s+[A-Z][^.!?]{0,80}$")
TITLE_CUE = re.compile(r"\b(?:peer\s+challenge|progress\s+review|peer\s+review)\b", re.I)
# "Progress review: London Borough of X" - a council named in the title line.
TITLE_COUNCIL = re.compile(r"(?:progress\s+review|peer\s+challenge)\s*[:–—]\s*(?P<name>[A-Z][^:\n]{2,80}?)\s*$", re.I)
COUNCIL_WORD = re.compile(r"\b(?:Council|Borough|County|City|District|Authority|Corporation)\b")
NAME_SHAPE = re.compile(r"^[A-Z][\w’'&.-]*(?:\s+(?:[A-Z][\w’'&.-]*|of|and|upon|on|the|in|with|under|le))*$")
THANK = re.compile(r"\bwould like to thank\s+(?:the\s+)?(?P<name>[A-Z][^\n.,]{2,80}?)\s+for\b")
REVIEW_AT = re.compile(
    r"\b(?:Progress Review|review|revisit|visit)\s+(?:at|of|to|with)\s+(?:the\s+)?(?P<name>[A-Z][^\n.,(]{2,80}?)\s+"
    r"(?:took place|was held|was carried out|happened)\b",
    re.I,
)
LEADING_THE = re.compile(r"^the\s+", re.I)
TOOK_PLACE = re.compile(r"\b(?:took place|was held|were held|was carried out|visited|returned)\b", re.I)
REVIEW_WORD = re.compile(r"\bprogress\s+review\b|\brevisit\b|\bthis review\b|\bpeer team (?:visited|returned)\b", re.I)
# The original peer challenge: a sentence saying when it happened.
CPC_WORDS = r"(?:LGA\s+)?(?:Corporate\s+Peer\s+Challenge|CPC|peer\s+challenge|(?<!progress\s)peer\s+review)"
CPC_HELD = re.compile(
    r"\b(?:undertook|underwent|hosted|received|had|held|took part in|participated in)\s+(?:an?\s+|its\s+|the\s+)?"
    + CPC_WORDS + r"\b|\b" + CPC_WORDS + r"(?:\s*\(CPC\))?\s+(?:took place|was held|was carried out)\b",
    re.I,
)
CPC_YEAR = re.compile(
    r"\b(?P<year>(?:19|20)\d{2})\s+" + CPC_WORDS + r"\b|\b" + CPC_WORDS
    + r"\s+(?:in|during|of)\s+(?:(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+)?(?P<year2>(?:19|20)\d{2})\b",
    re.I,
)
CPC_RELATIVE = re.compile(
    r"\b(?:approximately\s+|about\s+|around\s+|some\s+)?(?P<n>" + NUMBER_WORD + r")\s+(?P<unit>years?|months?)\s+"
    r"(?:after|since)\s+(?:the\s+)?(?:original\s+)?" + CPC_WORDS,
    re.I,
)
# The peer team: the line that introduces the list of peers.
PEER_INTRO = re.compile(
    r"\b(?:members?|peers?)\b[^\n]{0,80}?\b(?:were|was)\s+involved\b|"
    r"\b(?:peer|review|peer\s+challenge)\s+team\b[^\n]{0,60}?\b(?:comprised|consisted|was made up|members\s+were|"
    r"included|includes|was|were)\b[^\n]*:\s*$|^\s*(?:the\s+)?peer\s+team\s*(?:members)?\s*:?\s*$|"
    r"\bpeers?\s+(?:involved\s+)?(?:were|are)\s*:\s*$",
    re.I,
)
# "Out of the CPC's 11 recommendations", "all 18 recommendations", "made 12 recommendations".
REC_COUNT = re.compile(
    r"\b(?:all|made|the|its|of)\s+(?:the\s+)?(?:\w+['’]s\s+)?(?P<n>" + NUMBER_WORD + r")\s+(?:\w+\s+)?"
    r"recommendations\b",
    re.I,
)
# People: "Name, role is the main point of contact between the authority and the LGA".
_PERSON = r"(?:(?:Cllr|Councillor|Dr|Sir|Dame|Mr|Mrs|Ms|Professor)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][\w’'-]+){1,2}"
_CAPS = r"[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|of|for|and(?=\s+[A-Z])))*"
CONTACT = re.compile(
    r"(?P<name>" + _PERSON + r")\s*(?:\((?P<role_b>[^)\n]{2,80})\)|,\s*(?P<role_c>[^,\n]{2,80}?),?)\s+"
    r"(?:is|was|will be|remains)\s+(?:the\s+|your\s+)?(?:main\s+|principal\s+|first\s+)?(?:point of )?contact\b"
    r"(?:[^.\n]*?\bbetween the (?:authority|council) and the\s+(?P<org>" + _CAPS + r"))?"
)
PRECEDING_CAPITAL = re.compile(r"\b[A-Z][\w’'-]*\s+$")  # "LGA Councillor Development Charter" is a title
NAMED_COUNCILLOR = re.compile(r"\b(?P<title>Cllr|Councillor)\.?\s+(?P<name>[A-Z][a-z’'-]+(?:\s+[A-Z][\w’'-]+){1,2})")
# Organisations: capitalised names ending in a body word, "<Full name> (ACRONYM)", national bodies.
_ORG_HEAD = (r"(?:Council|Association|Agency|Institute|Commission|Authority|Board|Trust|Partnership|Foundation|"
             r"Society|University|College|Department|Centre|Inspectorate|Ombudsman|Borough)")
ORGANISATION = re.compile(
    r"\b(?P<org>(?:[A-Z][\w’'&-]*\s+(?:(?:of|for|and|on|the)\s+)?){0,5}" + _ORG_HEAD
    + r"\b(?:\s+(?:of|for|on)\s+[A-Z][\w’'&-]*(?:(?:,\s+|\s+and\s+|\s+)[A-Z][\w’'&-]*){0,5})?)"
    r"(?:\s+\((?P<alias>[A-Z][A-Za-z]{1,10})\))?"
)
NATIONAL_BODY = re.compile(r"\b(?:LGA|Ofsted|CQC|NHS|DfE|DLUHC|MHCLG|DHSC|CfGS|IDeA|HM Treasury|National Audit Office)\b")
QUOTE_BEFORE = re.compile(r"[‘“\"']\s*$")
ORG_NOT_A_NAME = re.compile(r"^(?:(?:The|This|That|Each|Every|Full|Our|Their|Its|A|An|Local|County|City|Borough|"
                            r"Council|Authority)\s+)?" + _ORG_HEAD + r"$")
# Values other sources may contradict: the year a backlog of accounts goes back to.
ACCOUNTS_BACK = re.compile(
    r"\b(?:outstanding|backlog of|unaudited|late|delayed)\s+(?:\w+\s+){0,2}accounts?\b[^.\n]{0,40}?\b"
    r"(?:dating|going|stretching|reaching)\s+back\s+to\s+(?P<fy>(?:19|20)\d{2}\s?/\s?\d{2,4})",
    re.I,
)
TITLE_KEY = re.compile(r"[^a-z0-9]+")

class ProgressReviewLoader(Loader):
    """LGA Corporate Peer Challenge progress reviews."""

    kind = "progress-review"
    version = "1"
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
        return min(score, 1.0) or None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        if not text.strip():
            raise DocumentRejected(document.name, "no text to read; supply the progress review as text or markdown")
        ex = self.new_extraction()
        lines = [(m.start(), m.end()) for m in NONBLANK_LINE.finditer(text)]
        header = _header(text, lines)
        _title_and_council(document, ex, header)
        _review_date(document, ex, header)
        _original_date(document, ex)
        ex.peers = _peer_team(document, lines)
        ex.recommendations = _recommendations.build(document, lines)
        _recommendation_count(document, ex)
        ex.self_assessment = rag_counts(document, lines) or action_plan_shares(document)
        ex.risks, risk_events = recognise(document, "risk")
        ex.interventions, _ = recognise(document, "intervention")
        ex.financial_facts = _money_facts.financial_facts(document)
        ex.people = _people(document, ex)
        ex.organisations = _organisations(document, ex)
        _events(document, ex, risk_events)
        ex.claims = _claims(document, ex, risk_events)
        return ex


# --- header, title, council, dates -------------------------------------------------------
def _header(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines before the first numbered section or the first long paragraph (at most eight)."""
    out = []
    for start, end in lines[:8]:
        line = text[start:end]
        if SECTION_HEADING.match(line) and not TITLE_CUE.search(line) or len(line.split()) > 25:
            break
        out.append((start, end))
    return out


def _council_name(name: str) -> str | None:
    name = LEADING_THE.sub("", name.strip(" .,:;–-"))
    if NAME_SHAPE.match(name) and len(name.split()) <= 10 and not CUE_LGA.fullmatch(name):
        return name
    return None


def _title_and_council(document: Document, ex: Extraction, header: list[tuple[int, int]]) -> None:
    text = document.text
    candidates: list[tuple[int, int, int, str]] = []  # (priority, start, end, name)
    for start, end in header:
        line = text[start:end].strip()
        if ex.title is None and TITLE_CUE.search(line) and not find_dates(line) and not line.endswith("."):
            ex.title, ex.title_evidence = line, document.span(start, end)
            m = TITLE_COUNCIL.search(text, start, end)
            if m and (name := _council_name(m.group("name"))) and COUNCIL_WORD.search(name):
                candidates.append((0, m.start("name"), m.end("name"), name))
        elif COUNCIL_WORD.search(line) and not find_dates(line) and (name := _council_name(line)):
            candidates.append((0, start, end, name))
    for pattern in (REVIEW_AT, THANK):
        for m in pattern.finditer(text):
            if name := _council_name(m.group("name")):
                offset = m.start("name") + m.group("name").find(name)
                candidates.append((1, offset, offset + len(name), name))
    if not candidates:
        return
    top = min(c[0] for c in candidates)
    best = max((c for c in candidates if c[0] == top), key=lambda c: (len(c[3].split()), -c[1]))
    ex.council = CouncilMention(best[3], document.span(best[1], best[2]))


def _review_date(document: Document, ex: Extraction, header: list[tuple[int, int]]) -> None:
    text = document.text
    head = None
    for start, end in header:
        dates = find_dates(text[start:end])
        if dates:
            d = dates[0]
            rest = text[start:start + d.start] + text[start + d.end:end]
            if len(rest.split()) <= 3:
                head = (d.date, d.end_date, document.span(start + d.start, start + d.end))
                break
    visit = None
    for s, e in sentences(text):
        sentence = text[s:e]
        if TOOK_PLACE.search(sentence) and REVIEW_WORD.search(sentence):
            dates = [d for d in find_dates(sentence) if d.date.day]
            if dates:
                d = dates[0]
                visit = (d.date, d.end_date, document.span(s, e))
                break
    chosen = head if head and (visit is None or visit[0] == head[0]) else visit
    if head and visit and visit[0] != head[0]:
        ex.warnings.append(f"header date {head[0].iso()} differs from the visit date {visit[0].iso()}; used the visit")
    if chosen:
        ex.date, ex.date_end, ex.date_evidence = chosen
    if visit:
        ex.events.append(Event("progress review", visit[0], visit[2]))
    elif chosen:
        ex.events.append(Event("progress review", chosen[0], chosen[2]))


def _original_date(document: Document, ex: Extraction) -> None:
    """When the original peer challenge took place: stated, then a year next to it, then relative."""
    text = document.text
    limit = ex.date
    found: tuple[PartialDate, int, int] | None = None
    for s, e in sentences(text):
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


# --- peers ---------------------------------------------------------------------------------
def _peer_team(document: Document, lines: list[tuple[int, int]]) -> list[Peer]:
    text = document.text
    starts = [i + 1 for i, (s, e) in enumerate(lines) if PEER_INTRO.search(text[s:e])]
    peers: list[Peer] = []
    for first in starts:
        for start, end in lines[first:]:
            if SECTION_HEADING.match(text[start:end]):
                break
            parsed = _peers.parse_peer_line(text[start:end])
            if parsed is None:
                break
            peers.append(Peer(parsed.name, document.span(start, end), parsed.honorific, parsed.role,
                              parsed.organisation, parsed.peer_role, parsed.statutory_role))
        if peers:
            return peers
    return peers


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


# --- people, organisations, events, claims ---------------------------------------------------
def _people(document: Document, ex: Extraction) -> list[PersonMention]:
    text = document.text
    peers = {p.name for p in ex.peers}
    out: list[PersonMention] = []
    seen: set[str] = set()
    for m in CONTACT.finditer(text):
        honorific, name = _peers.split_honorific(m.group("name"))
        role = (m.group("role_b") or m.group("role_c") or "").strip() or None
        if name in peers or name in seen or "@" in name:
            continue
        seen.add(name)
        out.append(PersonMention(name, document.span(m.start(), m.end()), role, m.group("org"), honorific))
    peer_lines = {(p.evidence.start, p.evidence.end) for p in ex.peers}
    for m in NAMED_COUNCILLOR.finditer(text):
        name = m.group("name")
        span = document.span(m.start(), m.end())
        inside_peer = any(a <= span.start < b for a, b in peer_lines)
        in_a_title = PRECEDING_CAPITAL.search(text, 0, m.start()) or not _peers.is_person_name(name)
        if name in peers or name in seen or inside_peer or in_a_title:
            continue
        seen.add(name)
        out.append(PersonMention(name, span, honorific="Cllr"))
    return out


def _organisations(document: Document, ex: Extraction) -> list[OrganisationMention]:
    text = document.text
    council = (ex.council.name if ex.council else "").casefold()
    found: dict[str, OrganisationMention] = {}
    aliases: set[str] = set()

    def add(name: str, start: int, end: int) -> None:
        name = LEADING_THE.sub("", name.strip())
        key = name.casefold()
        if (not name or ORG_NOT_A_NAME.match(name) or key in found or council and (key in council or council in key)
                or CUE_PROGRESS_REVIEW.search(name)):
            return
        found[key] = OrganisationMention(name, document.span(start, end))

    for m in ORGANISATION.finditer(text):
        if QUOTE_BEFORE.search(text, 0, m.start()):
            continue  # a quoted slogan ("One Council"), not a body
        add(m.group("org"), m.start("org"), m.end("org"))
        if m.group("alias"):
            alias = m.group("alias")
            if sum(c.isupper() for c in alias) * 2 >= len(alias):
                aliases.add(alias.casefold())
            else:
                add(alias, m.start("alias"), m.end("alias"))
    for peer in ex.peers:
        if peer.organisation and peer.organisation.casefold() not in found.keys() | aliases:
            offset = document.text.find(peer.organisation)
            if offset >= 0:
                add(peer.organisation, offset, offset + len(peer.organisation))
    for m in NATIONAL_BODY.finditer(text):
        if m.group().casefold() not in aliases:
            add(m.group(), m.start(), m.end())
    return list(found.values())


def _events(document: Document, ex: Extraction, risk_events: list[Event]) -> None:
    labels = {r.notation: r.label for r in rules()}
    ex.events.extend(risk_events)
    for mention in ex.interventions:
        if mention.date is not None:
            ex.events.append(Event(labels.get(mention.notation, mention.notation), mention.date, mention.evidence,
                                   mention.notation))


def _claims(document: Document, ex: Extraction, risk_events: list[Event]) -> list[Claim]:
    claims = [Claim("cyber-attack", "year", str(e.date.year), e.evidence)
              for e in risk_events if e.notation == "cyber-attack"]
    for m in ACCOUNTS_BACK.finditer(document.text):
        claims.append(Claim("outstanding accounts", "dating back to", m.group("fy").replace(" ", ""),
                            document.span(m.start(), m.end())))
    for rec in ex.recommendations:
        titles = [rec.title, *rec.title_variants]
        if len({TITLE_KEY.sub("", t.casefold()) for t in titles}) > 1:
            keys: set[str] = set()
            for title in titles:
                key = TITLE_KEY.sub("", title.casefold())
                if key not in keys:
                    keys.add(key)
                    claims.append(Claim(f"recommendation {rec.number}", "title", title, rec.evidence,
                                        scope="document"))
    by_measure: dict[str, list] = {}
    for fact in ex.financial_facts:
        if _money_facts.is_cumulative(fact):
            by_measure.setdefault(fact.measure, []).append(fact)
    for measure, facts in by_measure.items():
        if len({f.value for f in facts}) > 1:
            for f in facts:
                value = f"{f.value_as_written} ({f.period})" if f.period else f.value_as_written
                claims.append(Claim(measure, "amount", value, f.evidence, scope="document"))
    return claims
