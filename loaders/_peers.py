"""Parse one line of a peer-team list into name, honorific, job title, employer and labels.

Peer lists in LGA peer-challenge documents come in a few shapes, one peer a line:

``Name, Job title, Employer``
    the commonest; the job title may itself hold commas, so the employer is the
    comma part that looks like an organisation (Council, Borough, Authority, ...);
``Peer-team label Name, Job title, Employer``
    the label ("Chief Executive Peer", "Peer Challenge Manager") comes first;
``Name (Job title, Employer)`` and ``Name – Job title, Employer``;
``Name, Employer-acronym Job title`` ("LGA Peer Challenge Manager") and
``Name, Job title at Employer``.

A statutory role in brackets ("(Monitoring Officer)", "(S151 officer)") is split off
from whichever part carries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from councilkg.loaders._text import split_honorific, strip_bullet

# --- patterns -------------------------------------------------------------------
_HONORIFIC = r"(?:Cllr\.?|Councillor|Dr\.?|Sir|Dame|Mr\.?|Mrs\.?|Ms\.?|Miss|Professor|Prof\.?|Lord|Lady|Baroness)"
# A peer-team label in front of the name: capitalised words ending in "Peer" or "Manager".
PEER_LABEL = re.compile(
    r"^(?P<label>(?:[A-Z][\w’'-]*\s+){0,3}(?:Peer|Manager))\s*[:–—-]?\s+(?=" + _HONORIFIC + r"\s|[A-Z][a-z])"
)
# A person's name, with an optional honorific: two to four capitalised words.
PERSON_NAME = re.compile(
    r"^(?:" + _HONORIFIC + r"\s+)?(?:[A-Z][\w’'-]*\.?)(?:\s+(?:[A-Z][\w’'-]*|de|van|von|da|di|du|le|la|bin|al))"
    r"{1,3}$"
)
# Words that never stand in a person's name (a heading read as a peer line).
NOT_A_NAME = re.compile(
    r"\b(?:Review|Feedback|Council|Team|Progress|Introduction|Summary|Recommendations?|Challenge|Peer|Peers|"
    r"Association|Borough|Authority|Board|Plan|Approach|Steps|Thoughts|Context|Contents|Appendix|Theme)\b"
)
# "Name (Job title, Employer)" with the whole description in brackets.
NAME_BRACKETED = re.compile(r"^(?P<name>[^,(]+?)\s*\((?P<inner>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*\.?$")
# "Name – Job title, Employer".
NAME_DASHED = re.compile(r"^(?P<name>[^,–—]+?)\s+[–—-]\s+(?P<rest>.+)$")
# A statutory office in brackets.
STATUTORY = re.compile(
    r"\s*\((?P<role>[^()]*(?:Monitoring Officer|S\.?\s?151|Section 151|Chief Finance Officer|Head of Paid Service|"
    r"Statutory Scrutiny Officer|Director of (?:Adult|Children)[’']?s? (?:Social )?Services|DCS|DASS)[^()]*)\)",
    re.I,
)
# Words that make a comma part an organisation rather than a job title.
ORG_WORD = re.compile(
    r"\b(?:Council|Borough|County|District|Authority|Authorities|Association|LGA|Agency|Trust|University|College|"
    r"NHS|Institute|Commission|Department|Government|Police|Partnership|Foundation|Centre|Center|Society|Ltd|"
    r"Limited|plc|LLP|Corporation|Company|Consulting|Consultancy|IDeA|CfGS|Ministry)\b"
)
ORG_PREFIX = re.compile(r"^(?:LB|RB|RBK|LBB|London Borough|Royal Borough|City of|The City of)\b")
# A part that opens with a job-title word is a job title even if it names a body ("Leader of the Council").
ROLE_START = re.compile(
    r"^(?:(?:former|interim|acting|deputy|assistant|executive|strategic|corporate|group|service|senior|principal|"
    r"managing|lead)\s+)*(?:Chief|Director|Head|Leader|Deputy|Cabinet|Member|Manager|Adviser|Advisor|Officer|"
    r"Executive|Assistant|Portfolio|Strategic|Senior|Principal|Programme|Chair|Mayor|Lead|Councillor|Cllr|Group|"
    r"Service|Managing|President|Secretary|Treasurer|Partner|Consultant|Associate|Independent|Peer|Regional|"
    r"Corporate|Interim|Former|Acting)\b",
    re.I,
)
# "LGA Peer Challenge Manager": an organisation acronym, then a job title.
ACRONYM_ROLE = re.compile(r"^(?P<org>[A-Z][A-Za-z]{0,2}[A-Z]{1,5})\s+(?P<role>[A-Z][\w’'&-]*(?:\s+[\w’'&-]+){0,6})$")
# A job-title noun, required of the title after an acronym.
ROLE_NOUN = re.compile(r"\b(?:Manager|Adviser|Advisor|Officer|Director|Executive|Lead|Consultant|Associate|Head|Chair)\b")
# "Director of Finance at Some Council".
ROLE_AT_ORG = re.compile(r"^(?P<role>.+?)\s+at\s+(?P<org>(?:the\s+)?[A-Z].+)$")
# "Leader of Some Council" (only used where no other part is an organisation).
ROLE_OF_ORG = re.compile(r"^(?P<role>.+?)\s+of\s+(?P<org>(?:the\s+)?[A-Z][^,]*)$")
TRAILING_PUNCT = re.compile(r"[\s.;,]+$")


@dataclass
class PeerLine:
    name: str
    honorific: str | None = None
    role: str | None = None
    organisation: str | None = None
    peer_role: str | None = None
    statutory_role: str | None = None


def is_person_name(text: str) -> bool:
    return bool(PERSON_NAME.match(text.strip())) and not NOT_A_NAME.search(text)


def is_organisation(part: str) -> bool:
    part = part.strip()
    if not part or ROLE_START.match(part):
        return False
    return bool(ORG_WORD.search(part) or ORG_PREFIX.match(part))


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_peer_line(line: str) -> PeerLine | None:
    """The peer described by ``line``, or None if it does not read as a peer."""
    text = TRAILING_PUNCT.sub("", strip_bullet(line))
    if not text or len(text) > 250:
        return None
    peer_role = None
    label = PEER_LABEL.match(text)
    if label:
        peer_role, text = label.group("label"), text[label.end():]
    statutory = None
    found = STATUTORY.search(text)
    if found:
        statutory = found.group("role").strip()
        text = (text[: found.start()] + text[found.end():]).strip()
    bracketed = NAME_BRACKETED.match(text)
    if bracketed and "," in bracketed.group("inner"):
        name, parts = bracketed.group("name"), _split_top_level(bracketed.group("inner"))
    else:
        parts = _split_top_level(text)
        if not parts:  # nothing left once the labels are taken off ("(S151 officer)" alone)
            return None
        name, parts = parts[0], parts[1:]
        dashed = NAME_DASHED.match(name)
        if dashed and is_person_name(dashed.group("name")):
            name, parts = dashed.group("name"), [dashed.group("rest"), *parts]
    name = TRAILING_PUNCT.sub("", name)
    if not is_person_name(name):
        return None
    honorific, bare = split_honorific(name)
    peer = PeerLine(bare, honorific, peer_role=peer_role, statutory_role=statutory)
    _assign_role_and_employer(peer, [TRAILING_PUNCT.sub("", p) for p in parts])
    return peer


def _assign_role_and_employer(peer: PeerLine, parts: list[str]) -> None:
    """Tell the job title from the employer among the comma parts after the name."""
    parts = [p for p in parts if p]
    if not parts:
        return
    if len(parts) == 1:
        m = ACRONYM_ROLE.match(parts[0])
        if m and ROLE_NOUN.search(m.group("role")):
            peer.organisation, peer.role = m.group("org"), m.group("role").strip()
            return
    orgs = [i for i, p in enumerate(parts) if is_organisation(p)]
    if orgs:
        i = orgs[-1]
        peer.organisation = parts[i]
        rest = parts[:i] + parts[i + 1:]
        peer.role = ", ".join(rest) or None
        return
    if len(parts) == 1:
        part = parts[0]
        for pattern in (ROLE_AT_ORG, ROLE_OF_ORG):
            m = pattern.match(part)
            if m and is_organisation(m.group("org")):
                peer.organisation, peer.role = m.group("org").strip(), m.group("role").strip()
                return
    peer.role = ", ".join(parts)
