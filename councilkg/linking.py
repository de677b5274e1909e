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
were merged. Everything goes into one named graph (``LINKS_GRAPH``), brought to its new
content in one transaction, so re-linking never leaves stale merges behind. After a load that
names the changed graphs (``changed=``) only those are read again and only the triples that
differ are written (:mod:`councilkg.derived`); the graph records a digest of its triples.

Councils and organisations need no such pass: their IRIs are minted from canonical
names in the reference data (:mod:`councilkg.reference`), so "LB Bromley" and
"London Borough of Bromley" are one resource in every document graph.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from councilkg.derived import (READ_ONE_BY_ONE, Memory, as_triple, digest, digest_triple, start_pass,
                               write_difference, write_graph)
from councilkg.iri import Minter, slug
from councilkg.namespaces import CKG, FOAF, LINKS_GRAPH, ORG, PROV, RDF, RDFS, term

# Honorifics and post-nominals that are not part of a name for matching.
NAME_NOISE = re.compile(r"\b(?:cllr|councillor|dr|sir|dame|mr|mrs|ms|miss|prof|professor|obe|cbe|mbe)\b\.?", re.I)

# Within each graph (a mention is described by its document), so that a changed document can be read alone.
MENTIONS = f"""
SELECT ?g ?m ?name ?doc ?employer ?employerName ?role ?type WHERE {{ GRAPH ?g {{
  VALUES ?type {{ <{CKG.PeerMembership}> <{CKG.Appointment}> }}
  ?m a ?type ; <{CKG.personName}> ?name ; <{PROV.wasDerivedFrom}> ?doc .
  OPTIONAL {{ ?m <{CKG.employer}> ?employer }}
  OPTIONAL {{ ?m <{CKG.employerName}> ?employerName }}
  OPTIONAL {{ ?m <{CKG.jobTitle}> ?role }}
}} }}"""
LABELS = f"SELECT DISTINCT ?o ?l WHERE {{ ?m <{CKG.employer}> ?o . ?o <{RDFS.label}> ?l }}"


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
    """Every mention of a person in the store, by document."""
    return merge(read_by_graph(store))


def merge(by_graph: dict[str, list[Mention]]) -> list[Mention]:
    """One mention per IRI (one described in two graphs is read from the graph whose IRI sorts first),
    sorted by document."""
    found: dict[str, Mention] = {}
    for graph in sorted(by_graph, reverse=True):
        found.update((m.node.value, m) for m in by_graph[graph])
    return sorted(found.values(), key=lambda m: (m.document, m.node.value))


def read_by_graph(store, graphs: Iterable[str] | None = None) -> dict[str, list[Mention]]:
    """The mentions each graph describes (of ``graphs``, or of every graph).

    A mention with two values of a field (two names, two employers) keeps the smallest row,
    so that the choice does not depend on the order of rows.
    """
    rows: dict[tuple[str, str], tuple] = {}
    for graph in [None] if graphs is None else sorted(graphs):
        bind = {ox.Variable("g"): ox.NamedNode(graph)} if graph is not None else None
        for row in store.query(MENTIONS, bind):
            key = (row["g"].value, row["m"].value)
            value = tuple(row[v].value if row[v] is not None else "" for v in
                          ("name", "doc", "employer", "employerName", "role", "type"))
            rows[key] = min(rows.get(key, value), value)
    out: dict[str, list[Mention]] = {graph: [] for graph in graphs or ()}
    for (graph, node), (name, doc, employer, employer_name, role, kind) in sorted(rows.items()):
        out.setdefault(graph, []).append(Mention(ox.NamedNode(node), name, doc, employer or None, employer_name or None,
                                                 role or None, kind == str(CKG.PeerMembership)))
    return out


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


_MEMORY = Memory("links")
#: Changed whenever the rules of :func:`cluster` and :func:`identity_quads` change (a memory made by others
#: is then not reused).
_RULES = 1


def link_people(store, minter: Minter, changed: Iterable[str | ox.NamedNode] | None = None) -> int:
    """Decide person identities over the whole store and rewrite the links graph; the quad count.

    With ``changed`` (the graphs loaded or dropped since the last call), only those graphs
    are read again and only the triples that differ are written (:mod:`councilkg.derived`);
    the graph is the same either way. It records a digest of its triples (``ckg:sha256``).
    """
    graph = ox.NamedNode(LINKS_GRAPH)
    method = (_RULES, minter.base)
    memory, versions, stale = start_pass(store, graph, _MEMORY.get(store) if changed is not None else None, changed)
    rows = {} if memory is None else {g: r for g, r in memory["mentions"].items() if g in versions and g not in stale}
    for g, mentions in read_by_graph(store, stale if len(stale) <= READ_ONE_BY_ONE else None).items():
        if mentions:
            rows[g] = [(m.node.value, m.name, m.document, m.employer, m.employer_name, m.role, m.is_membership)
                       for m in mentions]
    labels = _labels(store)
    if memory is not None and (memory.get("method"), memory["labels"], memory["mentions"]) == (method, labels, rows):
        written, content_digest = memory["written"], memory["digest"]  # the same mentions: the same people
    else:
        people = cluster(merge({g: [Mention(ox.NamedNode(m[0]), *m[1:]) for m in ms] for g, ms in rows.items()}))
        quads = identity_quads(people, labels, minter)
        triples = {as_triple(q) for q in quads}
        written = sorted(triples)
        content_digest = digest(f"{s} {p} {o}" for s, p, o in written)
        if memory is None:
            write_graph(store, graph, written, content_digest)
        elif content_digest != memory["digest"]:
            old = set(map(tuple, memory["written"]))
            write_difference(store, graph, (old - triples) | {digest_triple(graph, memory["digest"])},
                             (triples - old) | {digest_triple(graph, content_digest)})
    _MEMORY.put(store, {"method": method, "versions": versions, "digest": content_digest, "written": written,
                        "labels": labels, "mentions": rows})
    return len(written) + 1


def identity_quads(people: list[Person], labels: dict[str, str], minter: Minter) -> list[ox.Quad]:
    """The links graph: each person, their identity decision and the mentions it joins."""
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
    return quads


def _labels(store) -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in store.query(LABELS):
        o, label = row["o"].value, row["l"].value
        labels[o] = min(labels.get(o, label), label)
    return labels
