"""Parts shared by the LGA peer-challenge loaders: the full report and the progress review.

Both kinds of report come from the same LGA template family, so they share:

* a header before the first numbered section: a title line naming the challenge
  ("LGA Corporate Peer Challenge", "... – Progress Review: <council>"), a line with the
  council's name and a date line ("12 – 15 March 2024", "Feedback: 7 – 8 October 2025");
* a sentence that names the council ("The LGA would like to thank <council> for ...");
* the visit's dates, in the header or in a sentence saying the visit took place;
* the peer team: a line introducing the list ("The peers were:", "the following members
  ... were involved:", a "The peer team" heading), then one peer a line
  (see :mod:`councilkg.loaders._peers` for the line shapes);
* a closing "<Name>, <role> is the main point of contact between the authority and the LGA";
* people, organisations, dated events and claims other sources may contradict, read
  the same way in both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from councilkg.loaders import Document
from councilkg.loaders import _money_facts, _peers
from councilkg.loaders._concepts import rules
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._self_assessment import sentences
from councilkg.loaders._text import find_dates
from councilkg.model import Claim, CouncilMention, Event, Extraction, OrganisationMention, Peer, PersonMention

# --- patterns -------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
NONBLANK_LINE = re.compile(r"[^\n]*\S[^\n]*")
CUE_LGA = Prefiltered(re.compile(r"\bLGA\b|\bLocal Government Association\b"))
CUE_PROGRESS_REVIEW = Prefiltered(re.compile(r"\bprogress\s+review\b", re.I))
# "1. Introduction": the first numbered section ends the header.
SECTION_HEADING = re.compile(r"^\s*\d{1,2}\.?\s+[A-Z][^.!?]{0,80}$")
TITLE_CUE = re.compile(r"\b(?:peer\s+challenge|progress\s+review|peer\s+review)\b", re.I)
# "Progress review: London Borough of X" - a council named in the title line.
TITLE_COUNCIL = re.compile(r"(?:progress\s+review|peer\s+challenge)\s*[:–—]\s*(?P<name>[A-Z][^:\n]{2,80}?)\s*$", re.I)
COUNCIL_WORD = re.compile(r"\b(?:Council|Borough|County|City|District|Authority|Corporation)\b")
# Capitalised words and the small words of place names; a comma may part them
# ("Bournemouth, Christchurch and Poole Council").
NAME_SHAPE = re.compile(r"^[A-Z][\w’'&.-]*(?:,?\s+(?:[A-Z][\w’'&.-]*|of|and|upon|on|the|in|with|under|le))*$")
# A comma may part a council's name only before a capitalised word ("Bournemouth, Christchurch and
# Poole Council"), not before "the Leader" or "its staff".
THANK = Prefiltered(re.compile(
    r"\bwould like to thank\s+(?:the\s+)?(?P<name>[A-Z][^\n.,]{2,80}?(?:,\s+[A-Z][^\n.,]{1,80}?)*)\s+for\b"))
LEADING_THE = re.compile(r"^the\s+", re.I)
TOOK_PLACE = re.compile(r"\b(?:took place|was held|were held|was carried out|visited|returned)\b", re.I)
# The peer team: the line that introduces the list of peers.
PEER_INTRO = Prefiltered(re.compile(
    r"\b(?:members?|peers?)\b[^\n]{0,80}?\b(?:were|was)\s+involved\b|"
    r"\b(?:peer|review|peer\s+challenge)\s+team\b[^\n]{0,60}?\b(?:comprised|consisted|was made up|members\s+were|"
    r"included|includes|was|were)\b[^\n]*:\s*$|^\s*(?:the\s+)?peer\s+team\s*(?:members)?\s*:?\s*$|"
    r"\bpeers?\s+(?:involved\s+)?(?:were|are)\s*:\s*$",
    re.I,
))
# People: "Name, role is the main point of contact between the authority and the LGA".
_PERSON = r"(?:(?:Cllr|Councillor|Dr|Sir|Dame|Mr|Mrs|Ms|Professor)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z][\w’'-]+){1,2}"
_CAPS = r"[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|of|for|and(?=\s+[A-Z])))*"
CONTACT = Prefiltered(re.compile(
    r"(?P<name>" + _PERSON + r")\s*(?:\((?P<role_b>[^)\n]{2,80})\)|,\s*(?P<role_c>[^,\n]{2,80}?),?)\s+"
    r"(?:is|was|will be|remains)\s+(?:the\s+|your\s+)?(?:main\s+|principal\s+|first\s+)?(?:point of )?contact\b"
    r"(?:[^.\n]*?\bbetween the (?:authority|council) and the\s+(?P<org>" + _CAPS + r"))?"
))
PRECEDING_CAPITAL = re.compile(r"\b[A-Z][\w’'-]*\s+$")  # "LGA Councillor Development Charter" is a title
NAMED_COUNCILLOR = Prefiltered(re.compile(
    r"\b(?P<title>Cllr|Councillor)\.?\s+(?P<name>[A-Z][a-z’'-]+(?:\s+[A-Z][\w’'-]+){1,2})",
))
# Organisations: capitalised names ending in a body word, "<Full name> (ACRONYM)", national bodies.
_ORG_HEAD = (r"(?:Council|Association|Agency|Institute|Commission|Authority|Board|Trust|Partnership|Foundation|"
             r"Society|University|College|Department|Centre|Inspectorate|Ombudsman|Borough)")
ORGANISATION = Prefiltered(re.compile(
    r"\b(?P<org>(?:[A-Z][\w’'&-]*\s+(?:(?:of|for|and|on|the)\s+)?){0,5}" + _ORG_HEAD
    + r"\b(?:\s+(?:of|for|on)\s+[A-Z][\w’'&-]*(?:(?:,\s+|\s+and\s+|\s+)[A-Z][\w’'&-]*){0,5})?)"
    r"(?:\s+\((?P<alias>[A-Z][A-Za-z]{1,10})\))?"
))
NATIONAL_BODY = Prefiltered(re.compile(
    r"\b(?:LGA|Ofsted|CQC|NHS|DfE|DLUHC|MHCLG|DHSC|CfGS|IDeA|HM Treasury|National Audit Office)\b",
))
QUOTE_BEFORE = re.compile(r"[‘“\"']\s*$")
ORG_NOT_A_NAME = re.compile(r"^(?:(?:The|This|That|Each|Every|Full|Our|Their|Its|A|An|Local|County|City|Borough|"
                            r"Council|Authority)\s+)?" + _ORG_HEAD + r"$")
# Values other sources may contradict: the year a backlog of accounts goes back to.
ACCOUNTS_BACK = Prefiltered(re.compile(
    r"\b(?:outstanding|backlog of|unaudited|late|delayed)\s+(?:\w+\s+){0,2}accounts?\b[^.\n]{0,40}?\b"
    r"(?:dating|going|stretching|reaching)\s+back\s+to\s+(?P<fy>(?:19|20)\d{2}\s?/\s?\d{2,4})",
    re.I,
))
TITLE_KEY = re.compile(r"[^a-z0-9]+")
# Structure of a full Corporate Peer Challenge report, which a progress review lacks: its section
# headings ("2. Key recommendations", "## Scope and focus") and the five core elements it reports on.
_HEADING_START = r"^[ \t#]*(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t]+)?"
CPC_KEY_RECOMMENDATIONS = Prefiltered(re.compile(
    _HEADING_START + r"key[ \t]+recommendations[ \t]*:?[ \t]*$", re.I | re.M,
))
CPC_APPROACH = Prefiltered(re.compile(
    r"\bsummary\s+of\s+(?:the\s+)?(?:corporate\s+)?peer\s+challenge\s+approach\b", re.I,
))
CPC_SCOPE = Prefiltered(re.compile(_HEADING_START + r"scope[ \t]+and[ \t]+focus[ \t]*$", re.I | re.M))
CPC_PROCESS = Prefiltered(re.compile(
    r"\bthe\s+peer\s+challenge\s+process\b|\bspent\s+(?:\d|two|three|four|five|six)\s+days\s+on[- ]?site\b", re.I
))
CPC_FEEDBACK_REPORT = Prefiltered(re.compile(r"\bfeedback\s+report\b", re.I))
# The core elements of every CPC: the current five, and the earlier wording (before 2023).
CORE_ELEMENTS = tuple(Prefiltered(re.compile(pattern, re.I)) for pattern in (
    r"\blocal\s+priorities\s+and\s+outcomes\b|\bunderstanding\s+of\s+the\s+local\s+place\b",
    r"\borganisational\s+and\s+place\s+leadership\b|\bleadership\s+of\s+place\b",
    r"\bgovernance\s+and\s+culture\b|\borganisational\s+leadership\s+and\s+governance\b",
    r"\bfinancial\s+planning\s+and\s+(?:management|viability)\b",
    r"\bcapacity\s+(?:for\s+improvement|to\s+deliver)\b",
))


@lru_cache(maxsize=4)
def cpc_report_cues(text: str) -> frozenset[str]:
    """Which marks of a full CPC report ``text`` shows (section headings, the five core elements).

    Cached on the text's value: the progress-review and peer-challenge detectors both ask.
    """
    cues = {name for name, pattern in (("key-recommendations", CPC_KEY_RECOMMENDATIONS), ("approach", CPC_APPROACH),
                                       ("scope", CPC_SCOPE), ("process", CPC_PROCESS),
                                       ("feedback-report", CPC_FEEDBACK_REPORT)) if pattern.search(text)}
    if sum(1 for pattern in CORE_ELEMENTS if pattern.search(text)) >= 3:
        cues.add("core-elements")
    return frozenset(cues)


def nonblank_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` that holds more than white space."""
    return [(m.start(), m.end()) for m in NONBLANK_LINE.finditer(text)]


# --- header, title, council, dates -------------------------------------------------------
def header(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The lines before the first numbered section or the first long paragraph (at most eight)."""
    out = []
    for start, end in lines[:8]:
        line = text[start:end]
        if SECTION_HEADING.match(line) and not TITLE_CUE.search(line) or len(line.split()) > 25:
            break
        out.append((start, end))
    return out


def council_name(name: str) -> str | None:
    """``name`` trimmed, if it is shaped like a body's name (capitalised words, at most ten)."""
    name = LEADING_THE.sub("", name.strip(" .,:;–-"))
    if NAME_SHAPE.match(name) and len(name.split()) <= 10 and not CUE_LGA.fullmatch(name):
        return name
    return None


def title_and_council(document: Document, ex: Extraction, head: list[tuple[int, int]],
                      patterns: tuple[re.Pattern, ...] = (THANK,),
                      title_council: tuple[re.Pattern, ...] = (TITLE_COUNCIL,)) -> None:
    """The title (the header line naming the challenge) and the council.

    The council is a header line or the part of the title line that reads as a council
    (``title_council``), else the longest name a body ``pattern`` captures as ``name``.
    """
    text = document.text
    candidates: list[tuple[int, int, int, str]] = []  # (priority, start, end, name)
    for start, end in head:
        line = text[start:end].strip()
        if ex.title is None and TITLE_CUE.search(line) and not find_dates(line) and not line.endswith("."):
            ex.title, ex.title_evidence = line, document.span(start, end)
            for pattern in title_council:
                m = pattern.search(text, start, end)
                if m and (name := council_name(m.group("name"))) and COUNCIL_WORD.search(name):
                    candidates.append((0, m.start("name"), m.end("name"), name))
                    break
        elif COUNCIL_WORD.search(line) and not find_dates(line) and (name := council_name(line)):
            candidates.append((0, start, end, name))
    for pattern in patterns:
        for m in pattern.finditer(text):
            if name := council_name(m.group("name")):
                offset = m.start("name") + m.group("name").find(name)
                candidates.append((1, offset, offset + len(name), name))
    if not candidates:
        return
    top = min(c[0] for c in candidates)
    best = max((c for c in candidates if c[0] == top), key=lambda c: (len(c[3].split()), -c[1]))
    ex.council = CouncilMention(best[3], document.span(best[1], best[2]))


def review_date(document: Document, ex: Extraction, head: list[tuple[int, int]], visit_word: re.Pattern,
                label: str, took_place: re.Pattern = TOOK_PLACE, prefer_header: bool = False) -> None:
    """The visit's first (and last) day: a header date line, or a sentence saying the visit took place.

    The sentence must match both ``took_place`` and ``visit_word``; where it disagrees with the
    header, the sentence wins (the header, with ``prefer_header``) and a warning says so. The
    visit is also an event called ``label``.
    """
    text = document.text
    found_head = None
    for start, end in head:
        dates = find_dates(text[start:end])
        if dates:
            d = dates[0]
            rest = text[start:start + d.start] + text[start + d.end:end]
            if len(rest.split()) <= 3:
                found_head = (d.date, d.end_date, document.span(start + d.start, start + d.end))
                break
    visit = None
    for s, e in sentences(text):
        sentence = text[s:e]
        if took_place.search(sentence) and visit_word.search(sentence):
            dates = [d for d in find_dates(sentence) if d.date.day]
            if dates:
                d = dates[0]
                visit = (d.date, d.end_date, document.span(s, e))
                break
    chosen = found_head if found_head and (visit is None or visit[0] == found_head[0] or prefer_header) else visit
    if found_head and visit and visit[0] != found_head[0]:
        used = "the header" if prefer_header else "the visit"
        ex.warnings.append(f"header date {found_head[0].iso()} differs from the visit date {visit[0].iso()}; "
                           f"used {used}")
    if chosen:
        ex.date, ex.date_end, ex.date_evidence = chosen
    # The event quotes the visit sentence where it agrees with the date used.
    if visit and (not prefer_header or chosen is visit or visit[0] == chosen[0]):
        ex.events.append(Event(label, visit[0], visit[2]))
    elif chosen:
        ex.events.append(Event(label, chosen[0], chosen[2]))


# --- peers ---------------------------------------------------------------------------------
def peer_team(document: Document, lines: list[tuple[int, int]]) -> list[Peer]:
    """The peers listed one a line after the first line that introduces a (non-empty) list."""
    text = document.text
    # A line without a word every introduction needs (checked in the whole text's fold) is not one.
    starts = [i + 1 for i, (s, e) in enumerate(lines)
              if not PEER_INTRO.cannot_match(text, s, e) and PEER_INTRO.search(text[s:e])]
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


# --- people, organisations, events, claims ---------------------------------------------------
def people(document: Document, ex: Extraction) -> list[PersonMention]:
    """The named contact between the council and the LGA, and councillors named in the text (not peers)."""
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


def organisations(document: Document, ex: Extraction) -> list[OrganisationMention]:
    """Named bodies other than the council: capitalised names, peers' employers, national bodies."""
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
        if "\n" not in m.group("org"):  # a name never runs over a line break: that is a title and a heading
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


def events(document: Document, ex: Extraction, risk_events: list[Event]) -> None:
    """Add the dated risk events and every dated intervention to ``ex.events``."""
    labels = {r.notation: r.label for r in rules()}
    ex.events.extend(risk_events)
    for mention in ex.interventions:
        if mention.date is not None:
            ex.events.append(Event(labels.get(mention.notation, mention.notation), mention.date, mention.evidence,
                                   mention.notation))


def claims(document: Document, ex: Extraction, risk_events: list[Event]) -> list[Claim]:
    """Stated values to compare across sources: attack years, accounts backlogs, titles, running totals."""
    out = [Claim("cyber-attack", "year", str(e.date.year), e.evidence)
           for e in risk_events if e.notation == "cyber-attack"]
    for m in ACCOUNTS_BACK.finditer(document.text):
        out.append(Claim("outstanding accounts", "dating back to", m.group("fy").replace(" ", ""),
                         document.span(m.start(), m.end())))
    for rec in ex.recommendations:
        titles = [rec.title, *rec.title_variants]
        if len({TITLE_KEY.sub("", t.casefold()) for t in titles}) > 1:
            keys: set[str] = set()
            for title in titles:
                key = TITLE_KEY.sub("", title.casefold())
                if key not in keys:
                    keys.add(key)
                    out.append(Claim(f"recommendation {rec.number}", "title", title, rec.evidence,
                                     scope="document"))
    by_measure: dict[str, list] = {}
    for fact in ex.financial_facts:
        if _money_facts.is_cumulative(fact):
            by_measure.setdefault(fact.measure, []).append(fact)
    for measure, facts in by_measure.items():
        if len({f.value for f in facts}) > 1:
            for f in facts:
                value = f"{f.value_as_written} ({f.period})" if f.period else f.value_as_written
                out.append(Claim(measure, "amount", value, f.evidence, scope="document"))
    return out
