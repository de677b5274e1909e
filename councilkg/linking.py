"""Who is who across documents: person resources, decided from every document's mentions.

Document graphs name people on peer memberships and appointments (``ckg:personName``,
with the employer and job title as written). After every load, :func:`link_people`
reads all those mentions and decides which are the same person:

* mentions with the same name (ignoring case, spacing, accents and honorifics) and the
  same employer (after councils and national bodies are canonicalised, so "LGA" and
  "Local Government Association (LGA)" agree) are one person;
* a mention with no employer joins the only person of that name, if there is one;
* the same name with different employers stays apart: two people.

Each person gets a ``ckg:IdentityDecision`` that lists its mentions and says why they
were merged. Everything goes into one named graph (``LINKS_GRAPH``), replaced whole in
one transaction, so re-linking never leaves stale merges behind.

Councils and organisations need no such pass: their IRIs are minted from canonical
names in the reference data (:mod:`councilkg.reference`), so "LB Bromley" and
"London Borough of Bromley" are one resource in every document graph.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from councilkg.iri import Minter, slug
from councilkg.namespaces import CKG, FOAF, LINKS_GRAPH, ORG, PROV, RDF, RDFS, term

# Honorifics and post-nominals that are not part of a name for matching.
NAME_NOISE = re.compile(r"\b(?:cllr|councillor|dr|sir|dame|mr|mrs|ms|miss|prof|professor|obe|cbe|mbe)\b\.?", re.I)

MENTIONS = f"""
SELECT ?m ?name ?doc ?employer ?employerName ?role ?type WHERE {{
  ?m <{CKG.personName}> ?name ; <{PROV.wasDerivedFrom}> ?doc ; a ?type .
  FILTER(?type IN (<{CKG.PeerMembership}>, <{CKG.Appointment}>))
  OPTIONAL {{ ?m <{CKG.employer}> ?employer }}
  OPTIONAL {{ ?m <{CKG.employerName}> ?employerName }}
  OPTIONAL {{ ?m <{CKG.jobTitle}> ?role }}
}}"""


@dataclass
class Mention:
    node: ox.NamedNode
    name: str
    document: str
    employer: str | None
    employer_name: str | None
    role: str | None
    is_membership: bool


@dataclass
class Person:
    name: str
    employer: str | None
    mentions: list[Mention] = field(default_factory=list)


def name_key(name: str) -> str:
    """A matching key for a person's name: no accents, honorifics, punctuation or case."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = NAME_NOISE.sub(" ", text)
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def read_mentions(store) -> list[Mention]:
    out = {}
    for row in store.query(MENTIONS):
        node = row["m"]
        out[node.value] = Mention(
            node=node,
            name=row["name"].value,
            document=row["doc"].value,
            employer=row["employer"].value if row["employer"] else None,
            employer_name=row["employerName"].value if row["employerName"] else None,
            role=row["role"].value if row["role"] else None,
            is_membership=row["type"].value == str(CKG.PeerMembership),
        )
    return sorted(out.values(), key=lambda m: (m.document, m.node.value))


def cluster(mentions: list[Mention]) -> list[Person]:
    """Group mentions into people (see the module docstring for the rules)."""
    by_name: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        key = name_key(mention.name)
        if key:
            by_name[key].append(mention)
    people: list[Person] = []
    for group in by_name.values():
        by_employer: dict[str, Person] = {}
        unplaced: list[Mention] = []
        for mention in group:
            if mention.employer:
                person = by_employer.setdefault(mention.employer, Person(mention.name, mention.employer))
                person.mentions.append(mention)
            else:
                unplaced.append(mention)
        if unplaced:
            if len(by_employer) == 1:
                next(iter(by_employer.values())).mentions.extend(unplaced)
            else:
                # No employer to tell them apart by: one person unless employers conflict.
                by_employer[""] = Person(unplaced[0].name, None, unplaced)
        people.extend(by_employer.values())
    return people


def reason(person: Person, labels: dict[str, str]) -> str:
    """Why these mentions are one person, in words."""
    documents = {m.document for m in person.mentions}
    if len(person.mentions) == 1:
        return f"named once, as {person.mentions[0].name!r}"
    parts = [f"same name ({', '.join(sorted({m.name for m in person.mentions}))})"]
    if person.employer:
        written = sorted({m.employer_name for m in person.mentions if m.employer_name})
        parts.append(f"same employer {labels.get(person.employer, person.employer)}"
                     + (f" (written {' / '.join(repr(w) for w in written)})" if len(written) > 1 else ""))
    roles = sorted({m.role for m in person.mentions if m.role})
    if len(roles) == 1:
        parts.append(f"same job title {roles[0]!r}")
    elif roles:
        parts.append(f"job titles {' / '.join(repr(r) for r in roles)}")
    if any(not m.employer for m in person.mentions):
        parts.append("mentions without an employer joined the only person of that name")
    return "; ".join(parts) + f"; {len(documents)} document(s)"


def link_people(store, minter: Minter) -> int:
    """Decide person identities over the whole store and rewrite the links graph; the quad count."""
    mentions = read_mentions(store)
    people = cluster(mentions)
    labels = _labels(store)
    graph = ox.NamedNode(LINKS_GRAPH)
    quads: list[ox.Quad] = []
    add = lambda s, p, o: quads.append(ox.Quad(s, term(p), o, graph))  # noqa: E731
    names_taken: dict[str, int] = defaultdict(int)
    for person in people:
        names_taken[slug(person.name)] += 1
    for person in sorted(people, key=lambda p: (name_key(p.name), p.employer or "")):
        key = person.name
        if names_taken[slug(person.name)] > 1:  # two people of one name: the employer tells them apart
            key = f"{person.name} {labels.get(person.employer or '', 'no employer')}"
        node = minter.person(key)
        add(node, RDF.type, term(FOAF.Person))
        add(node, RDF.type, term(PROV.Agent))
        add(node, FOAF.name, ox.Literal(person.name))
        add(node, RDFS.label, ox.Literal(person.name))
        decision = Minter.under(node, "identity")
        add(decision, RDF.type, term(CKG.IdentityDecision))
        add(decision, CKG.person, node)
        add(decision, CKG.reason, ox.Literal(reason(person, labels)))
        for mention in person.mentions:
            add(decision, CKG.mention, mention.node)
            add(mention.node, CKG.person, node)
            if mention.is_membership:
                add(mention.node, ORG.member, node)
    store.replace_graph(graph, quads)
    return len(quads)


def _labels(store) -> dict[str, str]:
    rows = store.query(f"SELECT ?o ?l WHERE {{ ?m <{CKG.employer}> ?o . ?o <{RDFS.label}> ?l }}")
    return {row["o"].value: row["l"].value for row in rows}
