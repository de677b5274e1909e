"""Check the ontology with an OWL reasoner, and materialise the inferences queries need.

:func:`check_consistency` converts ``ontology/councilkg.ttl`` and its modules (the SKOS
taxonomies and theme scheme: every ``ontology/*.ttl`` but ``shapes.ttl``) to N-Triples with rdflib (owlready2 does not read Turtle), loads them into a fresh owlready2
world and runs the HermiT reasoner (Java). It raises :class:`InconsistentOntology` when
the ontology is inconsistent or when a class can have no members.

:func:`materialise` then makes the named graph ``https://w3id.org/councilkg/graph/inferred``
(``INFERRED_GRAPH``) hold exactly what the rules conclude now, in one transaction, so that a
second run replaces the graph instead of adding to it. Each rule's premises come from every
graph *except* the inferred graph (a dropped document leaves no stale inference behind) and
its conclusions leave out triples already asserted somewhere (the embedded store's union
default graph repeats a triple once per graph, so a duplicate would double the rows of saved
queries). The rules are written as SPARQL queries (:func:`inferred_triples`, the reference)
and computed graph by graph in Python (:func:`conclusions`): after a load that names the
changed graphs (``changed=``) only those are read again and only the triples that differ are
written (:mod:`councilkg.derived`), 190,000 inferences at 2,500 documents. The graph records
a digest of its triples (``ckg:sha256``). What is materialised, and why:

1. **rdf:type over rdfs:subClassOf** (transitively): every ``ckg:ProgressReview`` is also a
   ``ckg:Review`` and a ``prov:Activity``, every ``ckg:Council`` an ``org:Organization``, every
   ``ckg:ProgressReviewReport`` a ``ckg:Document`` and ``foaf:Document``. Queries then ask for
   the general class (``?r a ckg:Review``) and find every kind, including kinds added later,
   without listing subclasses. ``prov:Entity`` is left out (``NOT_MATERIALISED``): every fact,
   evidence and link is one, so it would be most of the inferred graph (182,000 of 190,000
   triples at 2,500 documents) and it tells a query nothing; the ontology still says it
   (``?x a/rdfs:subClassOf* prov:Entity``), and documents and graphs assert it.
2. **owl:inverseOf**: for every inverse pair declared in a loaded graph (``skos:broader`` /
   ``skos:narrower``, ``skos:hasTopConcept`` / ``skos:topConceptOf``, ``org:member`` /
   ``org:hasMembership``), the missing direction of each asserted triple, so that a query
   can walk a link from either end (from a person to their memberships once linked).
3. **skos:broaderTransitive** (and its inverse ``skos:narrowerTransitive``): the transitive
   closure of ``skos:broader`` in the risk, intervention and theme schemes. A mention is
   typed by its narrowest concept (``risk:asc-overspend``); the saved query
   ``risks-by-category`` asks ``?mention ckg:riskType/skos:broaderTransitive ?category`` so
   that the category ``financial`` finds an ASC overspend and a budget gap. No per-mention
   triple is added: the closure lives on the concepts, where it is small and reused.

Deliberately *not* materialised: ``rdfs:domain``/``rdfs:range`` typing (it would give
resources types from how they are used, hiding the very errors the SHACL shapes look for);
``rdfs:subPropertyOf`` (``ckg:moreEvidence`` is a sub-property of ``ckg:evidence``, and
materialising it would multiply the rows of saved queries that read the primary
evidence); and ``owl:sameAs`` (merging resources is the linker's decision, recorded with
its reason in its own graph).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from councilkg.derived import (READ_ONE_BY_ONE, Memory, digest_triple, graph_versions, has_blank_node, recorded_digest,
                               stale_graphs, write_difference, write_graph)
from councilkg.errors import CouncilKGError, InconsistentOntology
from councilkg.namespaces import INFERRED_GRAPH, PROV, RDF, SKOS

log = logging.getLogger(__name__)

#: Packaged Turtle files that are not part of the OWL ontology.
NOT_ONTOLOGY = frozenset({"shapes.ttl"})

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

#: Superclasses rule 1 does not conclude (see the module's docstring).
NOT_MATERIALISED = frozenset({str(PROV.Entity)})

# Rule 1: rdf:type closure over rdfs:subClassOf. The hierarchy is read within one graph
# (the ontology graph holds it); ?inferred is bound to the inferred graph by substitution.
TYPE_CLOSURE = _PREFIXES + """
SELECT DISTINCT ?s ?super ?inferred WHERE {
  GRAPH ?h { ?c rdfs:subClassOf+ ?super } FILTER(?h != ?inferred && isIRI(?super)""" + "".join(
    f" && ?super != <{iri}>" for iri in sorted(NOT_MATERIALISED)) + """)
  GRAPH ?g { ?s rdf:type ?c } FILTER(?g != ?inferred)
  FILTER NOT EXISTS { GRAPH ?a { ?s rdf:type ?super } FILTER(?a != ?inferred) }
}
"""

# Rule 2: the missing direction of asserted triples whose property has a declared inverse.
INVERSES = _PREFIXES + """
SELECT DISTINCT ?s ?q ?o ?inferred WHERE {
  { GRAPH ?h { ?p owl:inverseOf ?q } } UNION { GRAPH ?h { ?q owl:inverseOf ?p } }
  FILTER(?h != ?inferred && isIRI(?p) && isIRI(?q))
  GRAPH ?g { ?o ?p ?s } FILTER(?g != ?inferred && !isLiteral(?s))
  FILTER NOT EXISTS { GRAPH ?a { ?s ?q ?o } FILTER(?a != ?inferred) }
}
"""

# Rule 3: skos:broaderTransitive / skos:narrowerTransitive as the transitive closure of the
# broader links (whichever direction they were written in) within one scheme's graph.
BROADER_CLOSURE = _PREFIXES + """
SELECT DISTINCT ?narrow ?broad ?inferred WHERE {
  GRAPH ?h { ?narrow (skos:broader|^skos:narrower|skos:broaderTransitive|^skos:narrowerTransitive)+ ?broad }
  FILTER(?h != ?inferred && ?narrow != ?broad)
}
"""

# Triples the broader closure concludes that are already asserted (left out of the graph).
ASSERTED_TRANSITIVE = _PREFIXES + """
SELECT DISTINCT ?s ?p ?o ?inferred WHERE {
  VALUES ?p { skos:broaderTransitive skos:narrowerTransitive }
  GRAPH ?g { ?s ?p ?o } FILTER(?g != ?inferred)
}
"""

# HermiT verdicts by the digest of the ontology text, so that materialising after every
# load does not start Java each time.
_consistent: set[str] = set()


def ontology_files() -> list[str]:
    """The packaged files that make up the ontology: ``councilkg.ttl`` and its modules (the
    SKOS taxonomies, the theme scheme), i.e. every ``ontology/*.ttl`` but the SHACL shapes."""
    names = (entry.name for entry in files("councilkg.ontology").iterdir())
    return sorted(n for n in names if n.endswith(".ttl") and n not in NOT_ONTOLOGY)


def ontology_sources(path: str | Path | Sequence[str | Path] | None = None) -> list[tuple[str, bytes]]:
    """``(name, Turtle bytes)`` of the given file(s), or of the packaged ontology files."""
    if path is None:
        package = files("councilkg.ontology")
        return [(name, package.joinpath(name).read_bytes()) for name in ontology_files()]
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    out = []
    for p in paths:
        p = Path(p)
        try:
            out.append((str(p), p.read_bytes()))
        except OSError as e:
            raise CouncilKGError(f"cannot read ontology file {p}: {e}") from e
    return out


def java_executable() -> str:
    """The Java the HermiT reasoner runs on; a clear error when there is none."""
    import owlready2

    configured = getattr(owlready2, "JAVA_EXE", None)
    found = shutil.which(configured) if configured else None
    found = found or shutil.which("java")
    if not found:
        raise CouncilKGError(
            "the HermiT reasoner needs Java, and no 'java' is on PATH: install a JDK or JRE "
            "(e.g. apt-get install default-jre-headless) or set owlready2.JAVA_EXE"
        )
    return found


def check_consistency(path: str | Path | Sequence[str | Path] | None = None) -> None:
    """Check the ontology with HermiT; raise :class:`InconsistentOntology` if it fails.

    ``path`` is a Turtle file or a list of them; by default the packaged ontology
    (:func:`ontology_files`). Unsatisfiable classes
    (classes that can have no members) count as failures too.
    """
    import rdflib

    sources = ontology_sources(path)
    names = ", ".join(name for name, _ in sources)
    digest = hashlib.sha256(b"\0".join(data for _, data in sources)).hexdigest()
    if digest in _consistent:
        return
    graph = rdflib.Graph()
    for name, data in sources:
        try:
            graph.parse(data=data, format="turtle", publicID=f"file:///{Path(name).name}")
        except Exception as e:  # rdflib raises several unrelated parser exception types
            raise InconsistentOntology(f"{name}: not valid Turtle ({e}); fix the syntax and check again") from e
    java = java_executable()
    _run_hermit(graph, names, java)
    _consistent.add(digest)


def _run_hermit(graph, names: str, java: str) -> None:
    import owlready2

    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="councilkg-owl-") as tmp:
        nt = Path(tmp) / "ontology.nt"
        nt.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
        world = owlready2.World()
        # owlready2 warns on stderr about punning (a property that is also a Data Cube
        # component individual), which OWL 2 DL allows; keep those lines out of the console.
        noise = io.StringIO()
        try:
            with contextlib.redirect_stderr(noise):
                onto = world.get_ontology(nt.as_uri()).load()
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as e:
            raise InconsistentOntology(
                f"{names}: the ontology is inconsistent (HermiT); look for a disjointness axiom "
                f"that an individual or a subclass axiom violates"
            ) from e
        except owlready2.OwlReadyJavaError as e:
            raise CouncilKGError(f"{names}: the HermiT reasoner failed: {str(e).strip()[-500:]}") from e
        finally:
            for line in noise.getvalue().splitlines():
                if line.strip() and "belongs to more than one entity types" not in line:
                    log.warning("owlready2: %s", line)
        empty = sorted(c.iri for c in world.inconsistent_classes() if c.iri != "http://www.w3.org/2002/07/owl#Nothing")
        world.close()
        if empty:
            raise InconsistentOntology(
                f"{names}: these classes can have no members (unsatisfiable): {', '.join(empty)}; "
                "check their subclass and disjointness axioms"
            )


def _solutions(store, sparql: str) -> Iterable:
    return store.query(sparql, {ox.Variable("inferred"): ox.NamedNode(INFERRED_GRAPH)})


def inferred_triples(store) -> list[ox.Triple]:
    """The triples the rules conclude from every graph but the inferred one, sorted."""
    rdf_type = ox.NamedNode(str(RDF.type))
    out: set[ox.Triple] = set()
    for row in _solutions(store, TYPE_CLOSURE):
        out.add(ox.Triple(row["s"], rdf_type, row["super"]))
    for row in _solutions(store, INVERSES):
        out.add(ox.Triple(row["s"], row["q"], row["o"]))
    broader = ox.NamedNode(str(SKOS.broaderTransitive))
    narrower = ox.NamedNode(str(SKOS.narrowerTransitive))
    closure: set[ox.Triple] = set()
    for row in _solutions(store, BROADER_CLOSURE):
        closure.add(ox.Triple(row["narrow"], broader, row["broad"]))
        closure.add(ox.Triple(row["broad"], narrower, row["narrow"]))
    asserted = {ox.Triple(r["s"], r["p"], r["o"]) for r in _solutions(store, ASSERTED_TRANSITIVE)}
    out |= closure - asserted
    return sorted(out, key=str)


# -- materialising, graph by graph -------------------------------------------------------------------
#
# The same rules as the queries above, computed in Python from what each graph asserts, so that
# after a load only the changed graphs are read again (councilkg.derived). Terms are kept as
# their N-Triples text. Per graph: its rdf:type triples whose class has a superclass or is one
# (premises of rule 1 and assertions that suppress its conclusions), and its triples whose
# property has an inverse or is one of the four SKOS hierarchy properties (rules 2 and 3).
# The schema (the subclass closure and the inverse pairs) is read in full every time: it is small,
# and when it changes everything is derived anew.

_TYPE = f"<{RDF.type}>"
_BROADER, _NARROWER = f"<{SKOS.broader}>", f"<{SKOS.narrower}>"
_BROADER_T, _NARROWER_T = f"<{SKOS.broaderTransitive}>", f"<{SKOS.narrowerTransitive}>"
_SKOS_HIERARCHY = (_BROADER, _NARROWER, _BROADER_T, _NARROWER_T)

_SUBCLASS_EDGES = _PREFIXES + "SELECT ?h ?c ?d WHERE { GRAPH ?h { ?c rdfs:subClassOf ?d } }"
_INVERSE_PAIRS = _PREFIXES + "SELECT ?h ?p ?q WHERE { GRAPH ?h { ?p owl:inverseOf ?q } FILTER(isIRI(?p) && isIRI(?q)) }"
# One query per class (?c) or property (?p), and per graph (?g) when one is read, bound by
# substitution: a VALUES block of them, or the inferred graph's IRI substituted into the FILTER,
# makes Oxigraph's plan several times slower.
_TYPES = f"SELECT ?g ?s ?c WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(?g != <{INFERRED_GRAPH}>) }}"
_TRIPLES = f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}"

Schema = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]  # class -> superclasses, property -> inverses
Inputs = tuple[list[tuple[str, str]], list[tuple[str, str, str]]]  # (subject, class), (subject, property, object)


def read_schema(store) -> Schema:
    """Each class's superclasses (closed within each graph, as ``rdfs:subClassOf+`` inside one
    ``GRAPH`` is) and each property's declared inverses, from every graph but the inferred one."""
    edges: dict[str, dict[str, set[str]]] = {}
    for row in store.query(_SUBCLASS_EDGES):
        if row["h"].value != INFERRED_GRAPH:
            edges.setdefault(row["h"].value, {}).setdefault(str(row["c"]), set()).add(str(row["d"]))
    supers: dict[str, set[str]] = {}
    for graph_edges in edges.values():
        for start in graph_edges:
            for reached in _reachable(graph_edges, start):
                if reached.startswith("<") and reached[1:-1] not in NOT_MATERIALISED:
                    supers.setdefault(start, set()).add(reached)
    inverses: dict[str, set[str]] = {}
    for row in store.query(_INVERSE_PAIRS):
        if row["h"].value != INFERRED_GRAPH:
            p, q = str(row["p"]), str(row["q"])
            inverses.setdefault(p, set()).add(q)
            inverses.setdefault(q, set()).add(p)
    return ({c: tuple(sorted(d)) for c, d in sorted(supers.items())},
            {p: tuple(sorted(q)) for p, q in sorted(inverses.items())})


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def read_inputs(store, schema: Schema, graphs: Iterable[str] | None = None) -> dict[str, Inputs]:
    """What each graph (of ``graphs``, or every graph but the inferred one) gives the rules."""
    supers, inverses = schema
    # Each class or property string is used as is (the memory then keeps one copy of it).
    classes = {c for c in (*supers, *(d for ds in supers.values() for d in ds)) if c.startswith("<")}
    properties = {*inverses, *_SKOS_HIERARCHY}
    out: dict[str, Inputs] = {}
    # A graph is read class by class too: the similarity graph, say, holds hundreds of thousands
    # of triples, few of them premises.
    for graph in [None] if graphs is None else sorted(graphs):
        bind = {} if graph is None else {ox.Variable("g"): ox.NamedNode(graph)}
        if graph is not None:
            out[graph] = ([], [])
        for term in sorted(classes):
            for row in store.query(_TYPES, {**bind, ox.Variable("c"): ox.NamedNode(term[1:-1])}):
                if (g := row["g"].value) != INFERRED_GRAPH:
                    out.setdefault(g, ([], []))[0].append((str(row["s"]), term))
        for term in sorted(properties):
            for row in store.query(_TRIPLES, {**bind, ox.Variable("p"): ox.NamedNode(term[1:-1])}):
                if (g := row["g"].value) != INFERRED_GRAPH:
                    out.setdefault(g, ([], []))[1].append((str(row["s"]), term, str(row["o"])))
    return out


def conclusions(inputs: Inputs, schema: Schema,
                tops: frozenset[str] | None = None) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """What one graph's triples lead to (rules 1-3), and which of its triples could be such a conclusion.

    ``tops``: every superclass in the schema (computed from it when not given).
    """
    supers, inverses = schema
    if tops is None:
        tops = frozenset(d for ds in supers.values() for d in ds)
    types, triples = inputs
    derived = {(s, _TYPE, d) for s, c in types for d in supers.get(c, ())}
    asserted = {(s, _TYPE, c) for s, c in types if c in tops}
    asserted.update(triples)
    up: dict[str, set[str]] = {}
    for s, p, o in triples:
        if not o.startswith('"'):
            for q in inverses.get(p, ()):
                derived.add((o, q, s))
            if p in (_BROADER, _BROADER_T):
                up.setdefault(s, set()).add(o)
            elif p in (_NARROWER, _NARROWER_T):
                up.setdefault(o, set()).add(s)
    # Rule 3 within the graph; only bT/nT conclusions, and only bT/nT triples suppress them.
    for narrow in up:
        for broad in _reachable(up, narrow):
            if broad != narrow:
                derived.add((narrow, _BROADER_T, broad))
                derived.add((broad, _NARROWER_T, narrow))
    return derived, asserted


class _Counts:
    """How many graphs lead to each conclusion and how many assert it; a conclusion is inferred
    when some graph leads to it and none asserts it. ``written``: what the inferred graph holds."""

    def __init__(self, schema: Schema, inputs: Iterable[Inputs] = ()):
        self.schema = schema
        self.tops = frozenset(d for ds in schema[0].values() for d in ds)
        self.derived: Counter = Counter()
        self.asserted: Counter = Counter()
        for found in inputs:
            derived, asserted = conclusions(found, schema, self.tops)
            self.derived.update(derived)  # counted in C
            self.asserted.update(asserted)
        self.written = self.final()

    def add(self, inputs: Inputs, sign: int = 1) -> set[tuple[str, str, str]]:
        derived, asserted = conclusions(inputs, self.schema, self.tops)
        for counter, found in ((self.derived, derived), (self.asserted, asserted)):
            for t in found:
                counter[t] += sign
                if not counter[t]:
                    del counter[t]
        return derived | asserted

    def holds(self, t: tuple[str, str, str]) -> bool:
        return t in self.derived and t not in self.asserted

    def final(self) -> set[tuple[str, str, str]]:
        return {t for t in self.derived if t not in self.asserted}


# The digest of the inferred graph: the sum of its triples' SHA-256 digests (modulo 2^256), so
# that it follows a change without hashing the whole graph again.
_MODULUS = 2**256


def _digest_sum(triples: Iterable[tuple[str, str, str]]) -> int:
    return sum(int.from_bytes(hashlib.sha256(f"{s} {p} {o}".encode()).digest(), "big")
               for s, p, o in triples) % _MODULUS


def _hex(total: int) -> str:
    return f"{total:064x}"


_MEMORY = Memory("inference")
#: Changed whenever the rules in :func:`conclusions` (or the digest) change, so that a memory of
#: what older rules concluded is not mistaken for what the graph holds.
RULES = 3


def materialise(store, check: bool = True, changed: Iterable[str | ox.NamedNode] | None = None) -> int:
    """Rebuild the inferred graph from the store's other graphs; return its triple count.

    With ``check`` (the default) the ontology is first checked with HermiT, and an
    inconsistent ontology raises :class:`InconsistentOntology` before anything is written.
    The store should hold the ontology graph (every ``load`` puts it there): the class and
    concept hierarchies are read from the store, so that its content and its inferences agree.

    With ``changed`` (the graphs loaded or dropped since the last call), only those graphs
    are read again and only the triples that differ are written (:mod:`councilkg.derived`);
    the graph is the same either way. It records a digest of its triples (``ckg:sha256``).
    """
    if check:
        check_consistency()
    graph = ox.NamedNode(INFERRED_GRAPH)
    schema = read_schema(store)
    versions = graph_versions(store)
    versions.pop(INFERRED_GRAPH, None)
    memory = _MEMORY.get(store) if changed is not None else None
    counts = _remembered(store, memory, schema) if memory is not None else None
    stale = stale_graphs(versions, memory["versions"] if counts is not None else None, changed)
    inputs = {} if counts is None else {g: i for g, i in memory["inputs"].items() if g in versions and g not in stale}
    inputs.update(read_inputs(store, schema, stale if len(stale) <= READ_ONE_BY_ONE else None))
    if counts is None:
        counts = _Counts(schema, inputs.values())
        total = _digest_sum(counts.written)
        write_graph(store, graph, sorted(counts.written), _hex(total))
    else:
        try:
            total = _update(store, graph, memory, counts, stale, inputs)
        except BaseException:
            _MEMORY.forget(store)  # the counts may be half updated
            raise
    _MEMORY.put(store, {"rules": RULES, "schema": schema, "versions": versions, "digest": _hex(total), "total": total,
                        "inputs": {g: i for g, i in inputs.items() if i[0] or i[1]}, "_counts": counts})
    return len(counts.written) + 1


def _update(store, graph: ox.NamedNode, memory: dict, counts: _Counts, stale: set[str], inputs: dict) -> int:
    """Apply what changed in ``stale`` graphs to the counts and the inferred graph; the new digest sum."""
    old, touched = memory["inputs"], set()
    for g in sorted(stale | (set(old) - set(inputs))):
        if g in old:
            touched |= counts.add(old[g], -1)
        if g in inputs:
            touched |= counts.add(inputs[g])
    gone = {t for t in touched if t in counts.written and not counts.holds(t)}
    came = {t for t in touched if t not in counts.written and counts.holds(t)}
    total = (memory["total"] - _digest_sum(gone) + _digest_sum(came)) % _MODULUS
    if gone or came:
        counts.written = (counts.written - gone) | came
        if has_blank_node(gone | came):
            # DELETE DATA cannot name a blank node: replace the graph whole.
            write_graph(store, graph, sorted(counts.written), _hex(total))
        else:
            write_difference(store, graph, gone | {digest_triple(graph, _hex(memory["total"]))},
                             came | {digest_triple(graph, _hex(total))})
    return total


def _remembered(store, memory: dict, schema: Schema) -> _Counts | None:
    """The counts as of the last run, if the memory matches the store (else None: start afresh)."""
    if (memory.get("rules"), memory["schema"]) != (RULES, schema) \
            or recorded_digest(store, ox.NamedNode(INFERRED_GRAPH)) != memory["digest"]:
        return None
    counts = memory.get("_counts")
    if counts is None:  # remembered on disk: count again what each graph gave, as it was written
        counts = _Counts(schema, memory["inputs"].values())
    return counts


__all__ = ["ontology_files", "check_consistency", "inferred_triples", "materialise", "java_executable"]
