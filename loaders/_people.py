"""People and organisations named in running prose: office holders, named people, partner bodies.

Structure relied on:

* office holders are referred to with an article and a capitalised office title
  ("the Leader", "The Chair", "the Head of Finance and Procurement", "the Leader, Chair and
  Deputy Mayor"); an office may be spelled out once with its abbreviation ("Chief Executive
  Officer (CEO)"), which then names the role;
* named people appear as ``Name (role)``, ``Cllr Name``, ``Name, role`` or ``role, Name``;
  a qualified office ("previous Chair", "former Leader") is another person than the holder;
* organisations are capitalised phrases ending in an organisation word (Trust, Board,
  Commission, Agency, Department of ..., Integrated Care System) or defined with an
  abbreviation, e.g. "Northshire NHS Foundation Trust", "Safeguarding Adults Board (SAB)".
"""

from __future__ import annotations

import re

from councilkg.model import OrganisationMention, PersonMention
from councilkg.loaders._literals import Prefiltered
from councilkg.loaders._text import split_honorific

# --- patterns -------------------------------------------------------------------------
# Patterns run over the whole text are Prefiltered (see _literals): the same matches, found faster.
_CAP = r"[A-Z][\w'’&-]*"
# Words that may join the capitalised words of a title: "Head of Finance and Procurement".
_JOIN = r"(?:\s+(?:and|of|for|&)\s+|,\s+(?=[A-Z])|\s+)"
_TAIL = _CAP + r"(?:" + _JOIN + _CAP + r"){0,7}"
# Office titles held by one person at a time.
_OFFICE = (
    r"(?:Chief\s+Executive(?:\s+Officer)?|CEO|Managing\s+Director|"
    r"(?:(?:Vice|Deputy)[- ])?Chair(?:man|woman|person)?"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,5}?\s+(?:[Cc]ommittee|[Pp]anel|[Bb]oard|[Cc]ommission))?|"
    r"(?:Deputy\s+|Elected\s+|Lord\s+)?Mayor|(?:Deputy\s+)?Leader(?:\s+of\s+the\s+(?:Council|Opposition))?|"
    r"Cabinet\s+[Mm]ember(?:\s+for\s+" + _TAIL + r")?|Lead\s+[Mm]ember\s+for\s+" + _TAIL + r"|"
    r"Portfolio\s+Holder(?:\s+for\s+" + _TAIL + r")?|"
    r"(?:Corporate\s+|Strategic\s+|Executive\s+|Group\s+|Interim\s+)?Director\s+(?:of|for)\s+" + _TAIL + r"|"
    r"Head\s+of\s+" + _TAIL + r"|Monitoring\s+Officer|(?:Section\s+|S)151\s+Officer|"
    r"Chief\s+(?:Finance|Financial|Operating)\s+Officer|Principal\s+Social\s+Worker|Town\s+Clerk|"
    r"Chief\s+Constable|Police\s+and\s+Crime\s+Commissioner)"
)
# "the Leader", "The incoming Chief Executive", "the Leader, Chair and Deputy Mayor".
_ARTICLE = r"\b(?:the|The)\s+(?P<qual>(?:new|incoming|current|interim|permanent|acting|previous|former|outgoing)\s+)?"
OFFICE_LIST = Prefiltered(re.compile(
    _ARTICLE + r"(?P<first>" + _OFFICE + r")(?P<rest>(?:\s*(?:,|and|&)\s+" + _OFFICE + r"(?![\w-]))*)(?P<after>[\w'’-]*)"
))
OFFICE = re.compile(_OFFICE)
# An office spelled out with its abbreviation: "Chief Executive Officer (CEO)".
OFFICE_DEFINED = Prefiltered(re.compile(r"(?P<long>" + _OFFICE + r")\s*\((?P<abbr>[A-Z]{2,6})\)"))
# A person's name: two or three capitalised words.
_NAME = r"[A-Z][a-z'’-]+(?:[ \t]+(?:[A-Z]\.[ \t]*)?[A-Z][a-zA-Z'’-]+){1,2}"
_HONORIFIC = r"(?:Cllr\.?|Councillor|Dr\.?|Sir|Dame|Mr\.?|Mrs\.?|Ms\.?|Professor|Prof\.?|Lord|Lady|Baroness)"
# "Sam Patel (former Leader)", "Cllr Jane Doe (Chair)".
NAME_ROLE_PAREN = Prefiltered(re.compile(
    r"(?P<hon>" + _HONORIFIC + r"\s+)?(?P<name>" + _NAME + r")\s*\((?P<role>[^()\n]{2,60})\)"
))
# "Jane Doe, Chief Executive" and "the Chief Executive, Jane Doe".
NAME_COMMA_ROLE = Prefiltered(re.compile(
    r"(?P<hon>" + _HONORIFIC + r"\s+)?(?P<name>" + _NAME + r"),\s+(?:the\s+)?(?P<role>(?:previous\s+|former\s+|interim\s+)?"
    + _OFFICE + r")"
))
ROLE_COMMA_NAME = Prefiltered(re.compile(
    r"\b(?:the|The)\s+(?P<role>" + _OFFICE + r"),\s+(?P<hon>" + _HONORIFIC + r"\s+)?(?P<name>" + _NAME + r")\b"
    r"(?!,?\s+(?:and\s+)?[A-Z])"
))
# "Councillor Jane Doe", "Cllr Sam Smith".
HONORIFIC_NAME = Prefiltered(re.compile(r"\b(?P<hon>Cllr\.?|Councillor)\s+(?P<name>" + _NAME + r")"))
# "Councillors Ben Hart, Amira Selby and Tom Reece" (attendance lists).
COUNCILLOR_LIST = Prefiltered(re.compile(
    r"\bCouncillors[ \t]+(?P<list>" + _NAME + r"(?:[ \t]*,[ \t]*" + _NAME + r")*(?:,?[ \t]+and[ \t]+" + _NAME + r")?)",
))
LIST_NAME = re.compile(_NAME)
# A role in brackets that names an office ("previous CEO", "Chair"), not an abbreviation.
ROLE_WORD = re.compile(
    r"\b(?:CEO|Chief|Director|Head|Chair\w*|Leader|Mayor|Councillor|Cabinet|Officer|Member|Manager|"
    r"Executive|Clerk|Commissioner|Lead)\b"
)
# First words that show a capitalised phrase is not a person's name.
NOT_A_NAME = re.compile(
    r"^(?:The|This|That|These|Chief|Head|Director|Cabinet|Council|Councillors?|Group|Corporate|Adult|Children|"
    r"Social|Safeguarding|Health|Care|National|Local|London|England|Scrutiny|Mayor|Leader|Overview|"
    r"Executive|Strategic|Senior|Principal|Officer|Member|Members|Panel|Committee|Board|Trust|Service|Services|"
    r"In|On|At|For|From|With|Following|During|Since|Whilst|While|Both|Each|All|Some|Any|Data|Assessment)\b"
)
# Organisations: a capitalised phrase ending in an organisation word.
_ORG_END = (
    r"(?:NHS\s+Foundation\s+Trust|Foundation\s+Trust|NHS\s+Trust|Trust|Integrated\s+Care\s+(?:System|Board|Partnership)|"
    r"Safeguarding\s+(?:Adults\s+)?Board|Partnership\s+Board|Commission|Agency|Association|Authority|Ombudsman|"
    r"Commissioner|Inspectorate|Healthcare|Hospital|Police(?:\s+Service|\s+Command)?|Fire\s+(?:and\s+Rescue\s+)?Service)"
)
ORGANISATION = Prefiltered(re.compile(
    r"\b(?P<name>(?:" + _CAP + r"(?:\s+(?:and|of|for|&)\s+|\s+)){0,6}" + _ORG_END + r")\b(?:\s*\((?P<abbr>[A-Z]{2,6})\))?"
))
DEPARTMENT = Prefiltered(re.compile(
    r"\b(?P<name>Department\s+(?:of|for)\s+" + _CAP + r"(?:\s+(?:and\s+)?" + _CAP + r"){0,4})",
))
# Leading words an organisation name does not start with.
ORG_LEAD = re.compile(r"^(?:The|This|That|A|An|In|On|At|For|From|With|And|Of|By|Both|Each|Its|Their|Our)\s+")
# Words that on their own make a generic, not a named, body ("the Local Authority", "an Acute Trust").
GENERIC_ORG_WORDS = frozenset(
    "local authority acute trust integrated care board system safeguarding adults partnership nhs foundation "
    "regulatory agency commission association health healthcare police service fire rescue and of the hospital "
    "command commissioner inspectorate".split()
)
# Two bodies written as one phrase: "<A Hospital> and <B Police Command>".
ORG_PAIR = re.compile(r"^(?P<left>\S+(?:\s+\S+)+?)\s+and\s+(?P<right>\S+(?:\s+\S+)+)$")
CANONICAL_OFFICE = {
    "ceo": "chief executive",
    "chief executive officer": "chief executive",
    "chairman": "chair",
    "chairwoman": "chair",
    "chairperson": "chair",
    "cabinet member": "cabinet member",
}


def office_key(role: str) -> str:
    """A comparison key for an office: lower case, abbreviation dropped, synonyms merged."""
    key = re.sub(r"\s*\([^)]*\)", "", role).strip().lower()
    key = re.sub(r"\s+", " ", key)
    return CANONICAL_OFFICE.get(key, key)


def _clean_role(role: str) -> str:
    return re.sub(r"\s+", " ", role).strip(" ,;:")


def find_people(document, *, place: str | None = None) -> list[PersonMention]:
    """Named people with roles, then unnamed office holders (``name=None``), one per office."""
    text = document.text
    people: list[PersonMention] = []
    named: set[str] = set()
    taken: list[tuple[int, int]] = []
    for pattern in (NAME_ROLE_PAREN, NAME_COMMA_ROLE, ROLE_COMMA_NAME, HONORIFIC_NAME):
        for m in pattern.finditer(text):
            if any(m.start() < e and m.end() > s for s, e in taken):
                continue
            name = m.group("name")
            role = m.groupdict().get("role")
            if NOT_A_NAME.match(name) or (place and place in name):
                continue
            if pattern is NAME_ROLE_PAREN and not ROLE_WORD.search(role or ""):
                continue
            honorific, name = split_honorific(f"{m.group('hon') or ''} {name}")
            key = name.lower()
            if key in named:
                continue
            named.add(key)
            taken.append((m.start(), m.end()))
            people.append(PersonMention(name, document.span(m.start(), m.end()),
                                        role=_clean_role(role) if role else None, honorific=honorific))
    for m in COUNCILLOR_LIST.finditer(text):
        for n in LIST_NAME.finditer(m.group("list")):
            name = n.group()
            if name.lower() in named or NOT_A_NAME.match(name) or (place and place in name):
                continue
            named.add(name.lower())
            start = m.start("list") + n.start()
            people.append(PersonMention(name, document.span(start, start + len(name)), honorific="Councillor"))
    # An office whose holder is named ("Jane Doe (Chair)") is not a second, unnamed person.
    roles = {office_key(p.role) for p in people if p.role and not re.match(r"(?:previous|former|outgoing)\b", p.role, re.I)}
    people.extend(p for p in _office_holders(document, text, taken)
                  if not any(r == office_key(p.role) or r.startswith(office_key(p.role) + " ") for r in roles))
    return people


def _office_holders(document, text: str, taken: list[tuple[int, int]]) -> list[PersonMention]:
    """Unnamed holders of an office referred to as "the <office>"."""
    defined: dict[str, re.Match] | None = None  # read only once an office holder is found: a costly pattern
    holders: dict[str, PersonMention] = {}
    for m in OFFICE_LIST.finditer(text):
        if m.group("after") or any(m.start() < e and m.end() > s for s, e in taken):
            continue  # "the Chairs", "the Head of Service's" or a named mention
        qualifier = (m.group("qual") or "").strip().lower()
        if qualifier in ("previous", "former", "outgoing"):
            continue
        offices = [m.group("first")] + [o.group() for o in OFFICE.finditer(m.group("rest") or "")]
        for office in offices:
            key = office_key(office)
            if key in holders:
                continue
            if defined is None:
                defined = _defined_offices(text)
            written = defined.get(key)
            role = f"{written.group('long')} ({written.group('abbr')})" if written else _clean_role(office)
            if qualifier == "interim":
                role = f"{role} (interim)"
            holders[key] = PersonMention(None, document.span(*_sentence(text, m.start(), m.end())), role=role)
    # "the Cabinet Member" is the same office as "the Cabinet Member for Health" when both occur.
    return [p for k, p in holders.items() if not any(o != k and o.startswith(k + " ") for o in holders)]


def _defined_offices(text: str) -> dict[str, re.Match]:
    """Offices spelled out with their abbreviation, by the key of each ("ceo" and "chief executive")."""
    defined: dict[str, re.Match] = {}
    for m in OFFICE_DEFINED.finditer(text):
        defined.setdefault(office_key(m.group("abbr")), m)
        defined.setdefault(office_key(m.group("long")), m)
    return defined


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return left, min(right, len(text))


def find_organisations(document, *, exclude: tuple[str, ...] = ()) -> list[OrganisationMention]:
    """Named bodies (trusts, boards, regulators, departments), once each, first mention as evidence."""
    text = document.text
    seen: set[str] = set()
    out: list[OrganisationMention] = []
    for pattern in (ORGANISATION, DEPARTMENT):
        for m in pattern.finditer(text):
            name = m.group("name")
            while ORG_LEAD.match(name):
                name = ORG_LEAD.sub("", name, count=1)
            base = m.start("name") + m.group("name").find(name)
            pair = ORG_PAIR.match(name)
            parts = [(name, base)]
            if (pair and ORGANISATION.fullmatch(pair.group("right"))
                    and not set(pair.group("right").lower().split()) <= GENERIC_ORG_WORDS):
                parts = [(pair.group("left"), base), (pair.group("right"), base + pair.start("right"))]
            for part, start in parts:
                key = part.lower()
                if set(key.split()) <= GENERIC_ORG_WORDS or len(part.split()) < 2:
                    continue
                if key in seen or any(x and x.lower() == key for x in exclude):
                    continue
                seen.add(key)
                out.append(OrganisationMention(part, document.span(start, start + len(part))))
    return out
