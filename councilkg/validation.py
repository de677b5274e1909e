"""SHACL validation of the graph against ``ontology/shapes.ttl``, with a readable report.

:func:`validate` reads the union of every graph in the store (as N-Triples: the shapes
describe resources, whichever document graph each triple came from), adds the packaged
ontology and taxonomies so that the class hierarchy and the SKOS schemes are there even
when the store lacks them, and runs pySHACL on the result. ``sh:class`` and ``sh:targetClass`` follow
``rdfs:subClassOf`` in the data, as SHACL requires, so no RDFS inference is run
(``inference="none"``): inference would add types from ``rdfs:domain`` and hide errors.

:func:`check` raises :class:`~councilkg.errors.ValidationFailed` with the report text when
the graph does not conform; ``councilkg validate`` and ``councilkg build`` call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files

import pyoxigraph as ox

from councilkg.errors import CouncilKGError, ValidationFailed

SHAPES_FILE = "shapes.ttl"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SH = "http://www.w3.org/ns/shacl#"

# One row per validation result, with the focus node, path, component, severity, message,
# value and source shape.
RESULTS = f"""
PREFIX sh: <{SH}>
SELECT ?focus ?path ?component ?severity ?message ?value ?shape WHERE {{
  ?report sh:result ?r .
  ?r sh:focusNode ?focus ; sh:sourceConstraintComponent ?component ; sh:resultSeverity ?severity .
  OPTIONAL {{ ?r sh:resultPath ?path }}
  OPTIONAL {{ ?r sh:resultMessage ?message }}
  OPTIONAL {{ ?r sh:value ?value }}
  OPTIONAL {{ ?r sh:sourceShape ?shape }}
}}
"""

PREFIXES = {
    "https://w3id.org/councilkg/ontology#": "ckg:",
    "https://w3id.org/councilkg/shapes#": "ckgsh:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/dc/terms/": "dct:",
    "http://www.w3.org/ns/org#": "org:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://purl.org/linked-data/cube#": "qb:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    SH: "sh:",
}


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result."""

    focus: str
    path: str
    component: str  # the constraint component, e.g. "sh:MinCountConstraintComponent"
    message: str
    severity: str = "Violation"
    value: str | None = None
    shape: str | None = None

    def line(self) -> str:
        """``<focus> path: rule -- message`` on one line."""
        value = f" (value: {self.value})" if self.value is not None else ""
        rule = self.component.removeprefix("sh:").removesuffix("ConstraintComponent")
        severity = "" if self.severity == "Violation" else f"[{self.severity}] "
        return f"{severity}{self.focus} {self.path}: {rule} -- {self.message}{value}"


@dataclass
class Report:
    """What pySHACL found: ``conforms`` and one :class:`Violation` per result."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0

    @property
    def text(self) -> str:
        if self.conforms:
            return f"the graph conforms to the shapes ({self.triples} triples checked)"
        errors = [v for v in self.violations if v.severity == "Violation"]
        head = f"{len(errors)} SHACL violation{'s' if len(errors) != 1 else ''} in {self.triples} triples:"
        return "\n".join([head, *(v.line() for v in self.violations)])

    def __str__(self) -> str:
        return self.text


def _short(term) -> str:
    """An IRI with a known prefix shortened (ckg:number), else in angle brackets."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        text = str(term)
        for ns, prefix in PREFIXES.items():
            if text.startswith(ns) and text[len(ns):].replace("-", "").replace("_", "").isalnum():
                return prefix + text[len(ns):]
        return f"<{text}>"
    if isinstance(term, rdflib.BNode):
        return "[]"
    if term is None:
        return "(node)"
    return term.n3() if hasattr(term, "n3") else str(term)


def _path(graph, node) -> str:
    """A result path: a property, or an inverse path ``^ckg:peerTeam``."""
    import rdflib

    if node is None:
        return "(node)"
    if isinstance(node, rdflib.BNode):
        inverse = graph.value(node, rdflib.URIRef(SH + "inversePath"))
        if inverse is not None:
            return "^" + _short(inverse)
        return "(complex path)"
    return _short(node)


@cache
def load_shapes():
    """The packaged SHACL shapes as an rdflib graph, targets lifted (parsed once per process; not to be changed)."""
    import rdflib

    graph = rdflib.Graph().parse(data=files("councilkg.ontology").joinpath(SHAPES_FILE).read_bytes(), format="turtle")
    lift_targets(graph)
    return graph


def lift_targets(shapes) -> None:
    """Give the property shapes of each targeted node shape that node shape's targets, in place.

    ``S sh:targetClass C ; sh:property P`` and ``P sh:targetClass C`` ask the same of the
    same nodes and report the same results (focus node, path, value, and P as the source
    shape), but pySHACL runs a property shape reached through ``sh:property`` once per
    focus node, and a targeted one once for all of them: validation takes half the time
    on councilkg's graphs, where thousands of evidence and fact nodes share a few shapes.
    Node shapes used inside other shapes (``sh:node``, ``sh:or``...) keep their
    properties, since they have no targets of their own there.
    """
    import rdflib
    from rdflib.collection import Collection

    sh = rdflib.Namespace(SH)
    nested = {o for p in (sh.node, sh.qualifiedValueShape, sh["not"]) for o in shapes.objects(None, p)}
    for p in (sh["or"], sh["and"], sh.xone):
        for head in shapes.objects(None, p):
            nested.update(Collection(shapes, head))
    target_predicates = (sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf)
    for shape in set(shapes.subjects(sh.property, None)):
        targets = [(p, o) for p in target_predicates for o in shapes.objects(shape, p)]
        if shape in nested or not targets or (shape, sh.deactivated, rdflib.Literal(True)) in shapes:
            continue
        for prop in list(shapes.objects(shape, sh.property)):
            for p, o in targets:
                shapes.add((prop, p, o))
            shapes.remove((shape, sh.property, prop))


def load_ontology():
    """The packaged ontology and taxonomies as one rdflib graph."""
    import rdflib

    from councilkg.inference import ontology_files

    graph = rdflib.Graph()
    for name in ontology_files():
        graph.parse(data=files("councilkg.ontology").joinpath(name).read_bytes(), format="turtle")
    return graph


def data_graph(store, graphs=None):
    """The union of the store's graphs (or of ``graphs``), each triple once, with the packaged ontology."""
    import rdflib

    if graphs is None:
        graph = rdflib.Graph().parse(data=store.export("ntriples"), format="nt")
    else:
        graph = rdflib.Graph()
        for name in graphs:
            graph.parse(data=store.export("ntriples", graph=name), format="nt")
    # Added here rather than passed as pySHACL's ont_graph, whose deep copy of every node
    # takes seconds; a graph that already holds the ontology gains nothing new.
    graph += load_ontology()
    return graph


def validate_graph(data, shapes=None) -> Report:
    """Validate an rdflib graph (the union of a store's graphs, with the ontology) against the shapes
    (the packaged ones unless ``shapes``, an rdflib graph, is given)."""
    import pyshacl

    try:
        conforms, results, _ = pyshacl.validate(
            data,
            shacl_graph=load_shapes() if shapes is None else shapes,
            inference="none",
            advanced=False,
            allow_warnings=True,
            abort_on_first=False,
        )
    except pyshacl.errors.ReportableRuntimeError as e:
        raise CouncilKGError(f"SHACL validation could not run: {e}; check ontology/shapes.ttl") from e
    violations = []
    for row in results.query(RESULTS):
        violations.append(
            Violation(
                focus=_short(row.focus),
                path=_path(results, row.path),
                component=_short(row.component),
                message=str(row.message) if row.message is not None else "",
                severity=str(row.severity).removeprefix(SH),
                value=_short(row.value) if row.value is not None else None,
                shape=_short(row.shape) if row.shape is not None else None,
            )
        )
    return Report(conforms=bool(conforms), violations=sorted(set(violations)), triples=len(data))


def merge(reports) -> Report:
    """One report for several validated parts (violations each once, in order)."""
    reports = list(reports)
    return Report(
        conforms=all(r.conforms for r in reports),
        violations=sorted({v for r in reports for v in r.violations}),
        triples=sum(r.triples for r in reports),
    )


def validate(store, graphs=None) -> Report:
    """Validate the union of every graph in ``store`` (or of ``graphs``) against ``ontology/shapes.ttl``.

    ``build`` passes the graphs it changed plus the graphs derived from all documents, so
    that an incremental build checks what it wrote without re-reading the whole store.
    """
    return validate_graph(data_graph(store, graphs))


@lru_cache(maxsize=4096)
def _iri(value: str):
    import rdflib

    return rdflib.URIRef(value)  # the same few predicates, classes and datatypes recur on every fact


@lru_cache(maxsize=65536)
def _literal(value: str, datatype: str, language: str | None):
    import rdflib

    # rdflib parses a typed literal's value when it makes one (a date, a decimal...): the same
    # units, dates, scores and small numbers recur on many facts.
    if language:
        return rdflib.Literal(value, lang=language)
    if datatype == XSD_STRING:
        return rdflib.Literal(value)  # as rdflib reads "x" from Turtle: plain, so sh:in ("x") matches it
    return rdflib.Literal(value, datatype=_iri(datatype))


def _rdflib_term(term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return _literal(term.value, term.datatype.value, term.language)


@cache
def _ontology_triples() -> tuple:
    """The packaged ontology's triples that validation can depend on, parsed once per process.

    What pySHACL reports about a node depends on its types, the class hierarchy and the
    properties the shapes name (in paths and targets): labels, comments, theme rules and
    the like cannot change it while no shape is closed or written in SPARQL, so they are
    left out of every run (they are a third of the ontology). With a closed or SPARQL shape
    every triple is kept.
    """
    import rdflib

    ontology = load_ontology()
    shapes = load_shapes()
    sh = rdflib.Namespace(SH)
    if any(True for _ in shapes.triples((None, sh.closed, rdflib.Literal(True)))) or \
            any(True for _ in shapes.triples((None, sh.sparql, None))):
        return tuple(ontology)
    named = {t for triple in shapes for t in triple if isinstance(t, rdflib.URIRef)}
    named.update((rdflib.RDF.type, rdflib.RDFS.subClassOf))
    return tuple(t for t in ontology if t[1] in named)


def validate_quads(quads) -> Report:
    """Validate pyoxigraph quads (graph names ignored) with the packaged ontology.

    ``build`` calls this in its worker processes on the quads each document adds (its own
    graph and the descriptions of the councils, organisations and indicators it names), a
    few documents at a time, so that validation runs on every core alongside extraction
    and never re-reads the store.
    """
    import rdflib

    graph = rdflib.Graph()
    for triple in _ontology_triples():
        graph.add(triple)
    convert = _rdflib_term
    for q in quads:
        graph.add((convert(q.subject), convert(q.predicate), convert(q.object)))
    return validate_graph(graph)


def check(store) -> Report:
    """Like :func:`validate`, but raise :class:`ValidationFailed` (with the report) on violations."""
    report = validate(store)
    if not report.conforms:
        raise ValidationFailed(report.text)
    return report


__all__ = ["Report", "Violation", "check", "merge", "validate", "validate_graph", "validate_quads", "data_graph",
           "load_shapes"]
