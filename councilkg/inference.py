"""Check the ontology with an OWL reasoner, and materialise the inferences queries need.

:func:`check_consistency` converts ``ontology/councilkg.ttl`` and its modules (the SKOS
taxonomies and theme scheme: every ``ontology/*.ttl`` but ``shapes.ttl``) to N-Triples with rdflib (owlready2 does not read Turtle), loads them into a fresh owlready2
world and runs the HermiT reasoner (Java). It raises :class:`InconsistentOntology` when
the ontology is inconsistent or when a class can have no members.

:func:`materialise` then rebuilds the named graph ``https://w3id.org/councilkg/graph/inferred``
(``INFERRED_GRAPH``) from scratch, with one atomic ``store.replace_graph`` call, so that a
second run replaces the graph instead of adding to it. Each rule is a SPARQL query over the
store whose premises come from every graph *except* the inferred graph (a dropped document
leaves no stale inference behind) and whose conclusions leave out triples already asserted
somewhere (the embedded store's union default graph repeats a triple once per graph, so a
duplicate would double the rows of saved queries). What is materialised, and why:

1. **rdf:type over rdfs:subClassOf** (transitively): every ``ckg:ProgressReview`` is also a
   ``ckg:Review`` and a ``prov:Activity``, every ``ckg:Council`` an ``org:Organization``, every
   ``ckg:ProgressReviewReport`` a ``ckg:Document``, ``foaf:Document`` and ``prov:Entity``, every
   fact a ``prov:Entity``. Queries then ask for the general class (``?r a ckg:Review``) and
   find every kind, including kinds added later, without listing subclasses.
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
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import CouncilKGError, InconsistentOntology
from councilkg.namespaces import INFERRED_GRAPH, RDF, SKOS

log = logging.getLogger(__name__)

#: Packaged Turtle files that are not part of the OWL ontology.
NOT_ONTOLOGY = frozenset({"shapes.ttl"})

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# Rule 1: rdf:type closure over rdfs:subClassOf. The hierarchy is read within one graph
# (the ontology graph holds it); ?inferred is bound to the inferred graph by substitution.
TYPE_CLOSURE = _PREFIXES + """
SELECT DISTINCT ?s ?super ?inferred WHERE {
  GRAPH ?h { ?c rdfs:subClassOf+ ?super } FILTER(?h != ?inferred && isIRI(?super))
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


def materialise(store, check: bool = True) -> int:
    """Rebuild the inferred graph from the store's other graphs; return its triple count.

    With ``check`` (the default) the ontology is first checked with HermiT, and an
    inconsistent ontology raises :class:`InconsistentOntology` before anything is written.
    The store should hold the ontology graph (every ``load`` puts it there): the class and
    concept hierarchies are read from the store, so that its content and its inferences agree.
    """
    if check:
        check_consistency()
    graph = ox.NamedNode(INFERRED_GRAPH)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in inferred_triples(store)]
    store.replace_graph(graph, quads)
    return len(quads)


__all__ = ["ontology_files", "check_consistency", "inferred_triples", "materialise", "java_executable"]
