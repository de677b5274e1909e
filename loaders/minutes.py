"""Loader for committee minutes (ModernGov style, as published on council web sites).

Structure relied on (text copied or converted from the HTML page or PDF):

* an optional header naming the meeting: ``Minutes of the <Committee> held on <date>``,
  ``Meeting of <Committee>``, ``Date: <date>``; when none states a date, none is recorded
  (a time such as ``(6:30pm)`` is not a date);
* one or more agenda items: ``Agenda item [N]`` followed by the item's title (possibly with a
  start time in brackets), or a numbered title line ``N. <Title>`` / ``Item N: <Title>``, then
  ``Minutes:`` and numbered paragraphs ``N.1``, ``N.2`` ...;
* bullet lines (``·``, ``•``, ``-``) under a paragraph; the topics chosen for a session follow a
  paragraph saying they were "selected" or "chosen";
* people referred to by office ("the Leader", "The Chair") or by name with a role in brackets;
* the council is not named formally: its place is inferred from how the text names places
  ("<Place> Council", "Borough of <Place>", "<Place> Borough", "in <Place>");
* the committee is a capitalised name ending in Committee, Sub-Committee, Panel, Board,
  Commission or Forum, preferably from the header.
"""

from __future__ import annotations

import re
from collections import Counter

from councilkg.errors import DocumentRejected
from councilkg.model import Claim, CouncilMention, Extraction, Statement
from councilkg.loaders import Document, Loader
from councilkg.loaders._concepts import recognise
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._money_facts import financial_facts
from councilkg.loaders._observations import find_observations
from councilkg.loaders._people import find_organisations, find_people
from councilkg.loaders._text import find_dates, squash, strip_bullet
from councilkg.reference import find_councils, resolve_council

# --- patterns -------------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
# "Agenda item", "Agenda item 5", "Agenda Item 5: Title".
AGENDA_ITEM = Prefiltered(re.compile(
    r"^\s*Agenda\s+item\s*(?P<num>\d{1,3}[a-z]?)?\s*[:.\-–]?\s*(?P<title>[^\n]*)$", re.I | re.M,
))
# "Item 5: Title", "5. Title" (a short title line; numbered paragraphs "5.1 ..." follow it).
ITEM_LINE = Prefiltered(re.compile(r"^\s*(?:Item\s+)?(?P<num>\d{1,3})[.:)]?\s+(?P<title>[A-Z][^\n.]{2,90})$", re.M))
# "Minutes:" on its own line.
MINUTES_LINE = Prefiltered(re.compile(r"^\s*Minutes\s*:?\s*$", re.I | re.M))
# "Minutes of the meeting ..." opening a line.
MINUTES_OF = Prefiltered(re.compile(r"^\s*Minutes\s+of\b", re.I | re.M))
# "4.1 The Committee noted ..." numbered minute paragraphs.
NUMBERED_PARA = Prefiltered(re.compile(r"^\s*(?P<item>\d{1,3})\.(?P<para>\d{1,3})\.?\s+\S", re.M))
# Meeting furniture that minutes carry and reports do not.
MEETING_WORDS = Prefiltered(re.compile(
    r"^\s*(?:Present|Apologies(?:\s+for\s+absence)?|Declarations?\s+of\s+(?:interest|pecuniary)|In\s+attendance|"
    r"Also\s+present|Officers\s+present|RESOLVED|AGREED)\b",
    re.I | re.M,
))
CHAIR = Prefiltered(re.compile(r"\b(?:The|the)\s+Chair(?:man|person)?\b"))
# A start time in an item title: "(6:30pm)", "(18:30)".
TIME = re.compile(r"\s*\(?\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\)?\s*$", re.I)
# The meeting date: "held on Tuesday 5 March 2024", "Date: 5 March 2024", "Meeting date ...".
MEETING_DATE = Prefiltered(re.compile(
    r"(?:\bheld\s+on|\bmeeting\s+(?:held\s+)?on|^\s*(?:meeting\s+)?date(?:\s+of\s+meeting)?\s*:|^\s*minutes\s+of\s+[^\n]{0,120}?,)"
    r"\s*(?P<rest>[^\n]{0,60})",
    re.I | re.M,
))
# The header names the committee: "Minutes of the Audit Committee", "Meeting of Cabinet".
_COMMITTEE = (
    r"(?:[A-Z][\w'’&-]*\s+(?:(?:and|of|for|&)\s+)?){0,5}"
    r"(?:Sub-Committee|Committee|Panel|Board|Commission|Forum|Cabinet)"
)
HEADER_COMMITTEE = Prefiltered(re.compile(r"\b(?:Minutes|Meeting)\s+of\s+(?:the\s+)?(?P<name>" + _COMMITTEE + r")\b"))
COMMITTEE = Prefiltered(re.compile(r"\b(?P<name>" + _COMMITTEE + r")\b"))
COMMITTEE_LEAD = re.compile(r"^(?:The|This|A|An|In|Each|Every|Following|At|Of)\s+")
# Places, by how strongly the wording marks the council's place.
PLACE_STRONG = Prefiltered(re.compile(
    r"\b(?:London\s+)?Borough\s+of\s+(?P<a>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
    r"|\b(?P<b>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?:(?:Borough|City|County|District)\s+)?Council\b"
))
PLACE_BOROUGH = Prefiltered(re.compile(r"\b(?P<p>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+Borough\b"))
# The venue: "Camden Town Hall", "Ealing Civic Centre".
PLACE_VENUE = Prefiltered(re.compile(
    r"\b(?P<p>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+(?:Town|City|Civic|County|Guild)\s*(?:Hall|Centre|Offices)\b"
))
PLACE_AFTER = Prefiltered(re.compile(
    r"\b(?:in|across|for|of|as|throughout|within)\s+(?P<p>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
    r"(?=\s*[.,;:?!(]|\s+(?:was|is|were|as|and|so|to|than|has|had|wide)\b)"
))
# Words that are not a council's place.
NOT_A_PLACE = frozenset(
    "the a an this that council borough city county district london england britain uk wales scotland "
    "january february march april may june july august september october november december covid panel "
    "cabinet committee board mayor chair ceo chief executive black global majority members member officers "
    "services service group directors q and our their its local national".split()
)
# A paragraph that introduces the topics chosen for the session.
TOPIC_INTRO = Prefiltered(re.compile(
    r"\b(?:topics?|topic\s+areas?|areas|themes|questions|lines\s+of\s+enquiry)\b[^.\n]{0,60}\b(?:selected|chosen|agreed)\b"
    r"|\b(?:areas|topics|themes)\s+selected\s+were\b"
    r"|\b(?:selected|chose|chosen|agreed)\s+(?:the\s+)?(?:following\s+)?(?:topics?|topic\s+areas?|areas|themes|questions)\b",
    re.I,
))
BULLET_LINE = re.compile(r"^\s*[•·▪◦●*\-–]\s*(?P<body>\S[^\n]*)$")


class MinutesLoader(Loader):
    """Committee minutes: council, committee, agenda item, topics, people, statistics, risks."""

    kind = "minutes"
    version = "1"
    description = "Committee minutes (ModernGov style): agenda items with numbered paragraphs"

    def detect(self, text: str) -> float | None:
        if not text or not text.strip():
            return None
        score = 0.0
        score += 0.35 if AGENDA_ITEM.search(text) else 0.0
        score += 0.3 if MINUTES_LINE.search(text) or MINUTES_OF.search(text) else 0.0
        paragraphs = len(NUMBERED_PARA.findall(text))
        score += 0.3 if paragraphs >= 3 else 0.1 if paragraphs else 0.0
        furniture = len(set(m.group().strip().lower()[:6] for m in MEETING_WORDS.finditer(text)))
        score += min(0.3, 0.15 * furniture)
        score += 0.05 if CHAIR.search(text) else 0.0
        return min(score, 1.0) or None

    def extract(self, document: Document) -> Extraction:
        text = document.text
        if not text.strip():
            raise DocumentRejected(document.name, "the document is empty; give the text of the minutes")
        ex = self.new_extraction()
        ex.council = _council(document)
        self._item(document, ex)
        ex.committee = _committee(text)
        self._date(document, ex)
        ex.topics = _topics(document)
        place = ex.council.name if ex.council else None
        ex.people = find_people(document, place=place)
        ex.organisations = find_organisations(document)
        ex.observations = find_observations(document, standalone=True)
        ex.financial_facts = financial_facts(document)
        ex.risks, risk_events = recognise(document, "risk")
        ex.interventions, intervention_events = recognise(document, "intervention")
        ex.events = risk_events + intervention_events
        ex.claims = [Claim(e.notation, "year", str(e.date.year), e.evidence) for e in ex.events if e.notation]
        if ex.date is None:
            ex.warnings.append(f"{document.name}: the minutes state no meeting date; none recorded")
        if ex.council is None:
            ex.warnings.append(f"{document.name}: no place named often enough to tell the council")
        return ex

    @staticmethod
    def _item(document: Document, ex: Extraction) -> None:
        text = document.text
        numbers = Counter(m.group("item") for m in NUMBERED_PARA.finditer(text))
        m = AGENDA_ITEM.search(text)
        if m:
            title, start = m.group("title").strip(), m.start("title")
            if not title:
                nxt = re.search(r"[^\s][^\n]*", text[m.end():])
                if nxt:
                    title, start = nxt.group(), m.end() + nxt.start()
            number = m.group("num") or (numbers.most_common(1)[0][0] if numbers else None)
        else:
            item = next((i for i in ITEM_LINE.finditer(text) if i.group("num") in numbers), None)
            if item is None:
                return
            title, start, number = item.group("title"), item.start("title"), item.group("num")
        title = TIME.sub("", title).strip(" :-–")
        if not title or MINUTES_LINE.match(title):
            return
        ex.agenda_item = f"{number}. {title}" if number and not m else title
        ex.title = title
        ex.title_evidence = document.span(start, start + len(title))

    @staticmethod
    def _date(document: Document, ex: Extraction) -> None:
        for m in MEETING_DATE.finditer(document.text):
            dates = find_dates(m.group("rest"))
            if dates and dates[0].start < 20:
                ex.date = dates[0].date
                ex.date_end = dates[0].end_date
                ex.date_evidence = document.span(m.start(), m.start("rest") + dates[0].end)
                return


def _council(document: Document) -> CouncilMention | None:
    """The place the text most often names as the council's, with its first mention as evidence."""
    text = document.text
    weights: Counter = Counter()
    first: dict[str, tuple[int, int]] = {}

    def add(name: str, start: int, weight: int) -> None:
        words = name.split()
        while words and words[-1].lower() in NOT_A_PLACE:
            words.pop()
        while words and words[0].lower() in NOT_A_PLACE:
            words.pop(0)
        if not words or any(w.lower() in NOT_A_PLACE for w in words) or all(w.isupper() for w in words):
            return
        place = " ".join(words)
        offset = start + text[start:].find(place)
        weights[place] += weight
        if place not in first or offset < first[place][0]:
            first[place] = (offset, offset + len(place))

    for m in PLACE_STRONG.finditer(text):
        group = "a" if m.group("a") else "b"
        add(m.group(group), m.start(group), 3)
    for m in PLACE_BOROUGH.finditer(text):
        add(m.group("p"), m.start("p"), 2)
    for m in PLACE_VENUE.finditer(text):
        add(m.group("p"), m.start("p"), 2)
    for m in PLACE_AFTER.finditer(text):
        add(m.group("p"), m.start("p"), 1)
    # Councils the reference data knows, named anywhere (a bare place name counts too).
    for council, start, end in find_councils(text, bare=True):
        add(text[start:end], start, 1)
    if not weights:
        return None
    place, weight = max(weights.items(), key=lambda kv: (kv[1], -first[kv[0]][0]))
    if weight < 2 and not resolve_council(place):
        return None
    return CouncilMention(place, document.span(*_sentence(text, *first[place])))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    stop = text.rfind(". ", 0, start)
    left = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, start) + 1)
    ends = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    return left, min(ends) if ends else len(text)


def _committee(text: str) -> str | None:
    header = HEADER_COMMITTEE.search(text)
    if header:
        return squash(COMMITTEE_LEAD.sub("", header.group("name")))
    names = []
    for m in COMMITTEE.finditer(text):
        name = m.group("name")
        while COMMITTEE_LEAD.match(name):
            name = COMMITTEE_LEAD.sub("", name, count=1)
        if len(name.split()) >= 2 or name == "Cabinet":
            names.append(squash(name))
    # The committee is named first (in the header or the opening paragraph); bodies it
    # mentions later are named in passing. A bare "Cabinet" is a last resort.
    named = [n for n in names if n != "Cabinet"]
    return named[0] if named else names[0] if names else None


def _topics(document: Document) -> list[Statement]:
    """Bullet lines that follow a paragraph saying which topics were selected."""
    text = document.text
    out: list[Statement] = []
    for intro in TOPIC_INTRO.finditer(text):
        pos = text.find("\n", intro.end())
        while pos >= 0:
            line = re.match(r"\n*(?P<line>[^\n]*)", text[pos:])
            body = BULLET_LINE.match(line.group("line"))
            if not body:
                break
            start = pos + line.start("line") + line.group("line").find(body.group("body"))
            topic = strip_bullet(body.group("body"))
            out.append(Statement("topic", document.span(start, start + len(topic))))
            pos = text.find("\n", pos + line.end("line"))
            if pos < 0 or not text[pos:].strip():
                break
        if out:
            break
    return out
