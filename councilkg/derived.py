"""Graphs derived from every document (person links, similar recommendations, inferences), rewritten by difference.

After every load, :mod:`councilkg.linking`, :mod:`councilkg.similarity` and
:mod:`councilkg.inference` each recompute one graph from all the document graphs. At
national scale, reading every document and rewriting a graph of hundreds of thousands of
triples after one document changed would take far longer than the change itself, so a
pass that is told which graphs changed (``changed=``) remembers, per store, what it read
from each graph and what it wrote last time (:class:`Memory`), re-reads only the graphs
that changed, and writes only the triples that differ (:func:`write_difference`).

What a pass writes never depends on that memory: it is the same function of the store's
content whether computed from scratch or step by step, so a cold build and any sequence of
incremental builds of the same sources give the same graph. The memory is trusted only
while it provably matches the store:

* every graph that carries a ``ckg:sha256`` (documents, the ontology, the derived graphs
  themselves) has a version (:func:`graph_versions`): its digest and load time. A graph
  whose version differs from the remembered one is read again, as is
  every graph without a version (the shared entities) and every graph the caller names;
* each derived graph records a digest of its own content (``<graph> ckg:sha256``: the SHA-256
  of its links or triples in order, or for the inferred graph the sum of its triples' SHA-256
  digests, which follows a change without hashing everything again), written in the same
  update as the content. A pass whose remembered digest differs (another
  program rewrote the graph, or the process died between writing the store and the memory)
  rebuilds the graph from scratch, as it does with no memory at all.

Without ``changed=`` a pass trusts nothing: it reads everything and replaces its graph whole
(:func:`write_graph`), which also removes triples someone else put there.

The memory lives in the process and, for an embedded store, in a file next to its data
(``relink-<pass>.marshal`` in the store directory), so that the next ``councilkg build``
starts from it. It holds only built-in types (strings, numbers, tuples, lists, dicts), written
with :mod:`marshal` (several times quicker than pickle for these, and it cannot run code).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import weakref
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from councilkg.namespaces import CKG, PROV

log = logging.getLogger(__name__)

#: Bumped when what a pass remembers changes shape; older files are then ignored. Marshal's
#: format belongs to one Python version, so that is part of it too.
MEMORY_FORMAT = f"councilkg-relink-memory 2 python {sys.version_info[0]}.{sys.version_info[1]}"
#: Up to this many graphs to read again are read one by one, more in one pass over the store.
READ_ONE_BY_ONE = 32

_VERSIONS = f"""
SELECT ?g ?h ?t WHERE {{ GRAPH ?g {{ ?g <{CKG.sha256}> ?h OPTIONAL {{ ?g <{PROV.generatedAtTime}> ?t }} }} }}"""
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_DIGEST = f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{CKG.sha256}> ?h }} }}"
_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"

Triple = tuple[str, str, str]  # terms in N-Triples syntax: "<iri>", '"text"', '"1.5"^^<...#decimal>'

# Per store object: pass name -> what it remembers. Weak, so a closed store takes its memory with it.
_memories: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def graph_versions(store) -> dict[str, str | None]:
    """Every named graph, with a key that changes whenever the graph is rewritten (None: no key).

    The key of a document graph is its source's sha256 and its load time (a document loaded
    again, by whatever loader, has a new load time); of the ontology and the derived graphs,
    the digest they record.
    """
    versions: dict[str, str | None] = {row["g"].value: None for row in store.query(_GRAPHS)}
    for row in store.query(_VERSIONS):
        versions[row["g"].value] = f"{row['h'].value} {row['t'].value if row['t'] is not None else '-'}"
    return versions


def stale_graphs(versions: dict[str, str | None], remembered: dict[str, str | None] | None,
                 changed: Iterable[str | ox.NamedNode] | None) -> set[str]:
    """The graphs to read again: new, rewritten, unversioned, or named by the caller."""
    if remembered is None or changed is None:
        return set(versions)
    named = {g.value if isinstance(g, ox.NamedNode) else str(g) for g in changed}
    return {g for g, v in versions.items() if v is None or remembered.get(g, "") != v or g in named}


def digest(lines: Iterable[str]) -> str:
    """A sha256 of the given lines (in the order given)."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def start_pass(store, graph: ox.NamedNode, memory: dict | None, changed) -> tuple[dict | None, dict, set[str]]:
    """Where a pass writing ``graph`` starts: the memory it may trust (None when ``graph`` is not
    what that memory wrote), the versions of the other graphs, and the graphs to read again."""
    if memory is not None and recorded_digest(store, graph) != memory["digest"]:
        memory = None  # the graph is not what this memory wrote: start afresh
    versions = graph_versions(store)
    versions.pop(graph.value, None)
    return memory, versions, stale_graphs(versions, memory["versions"] if memory else None, changed)


def recorded_digest(store, graph: ox.NamedNode) -> str | None:
    """The ``ckg:sha256`` a derived graph records about itself, if any."""
    for row in store.query(_DIGEST, {ox.Variable("g"): graph}):
        return row["h"].value
    return None


def digest_quad(graph: ox.NamedNode, value: str) -> ox.Quad:
    return ox.Quad(graph, ox.NamedNode(str(CKG.sha256)), ox.Literal(value), graph)


def digest_triple(graph: ox.NamedNode, value: str) -> Triple:
    return str(graph), f"<{CKG.sha256}>", str(ox.Literal(value))


class Memory:
    """What one pass remembers about each store it has run on: a dict of built-in values, kept in
    this process and (for an embedded store) in ``<prefix>-<name>.marshal`` in the store's folder."""

    def __init__(self, name: str, prefix: str = "relink"):
        self.name = name
        self.prefix = prefix

    @property
    def key(self) -> str:
        return f"{self.prefix}-{self.name}"

    def _file(self, store) -> Path | None:
        path = getattr(store, "path", None)
        return Path(path) / f"{self.key}.marshal" if path is not None else None

    def get(self, store) -> dict | None:
        held = _memories.setdefault(store, {})
        if self.key in held:
            return held[self.key]
        data = None
        file = self._file(store)
        if file is not None and file.exists():
            try:
                loaded = marshal.loads(file.read_bytes())
                if isinstance(loaded, dict) and loaded.get("format") == MEMORY_FORMAT:
                    data = loaded
            except (OSError, EOFError, ValueError, TypeError) as e:
                # Only a cache: without it the pass recomputes everything.
                log.warning("ignoring %s: %s", file, e)
        held[self.key] = data
        return data

    def put(self, store, data: dict) -> None:
        """Remember ``data``; keys starting with ``_`` stay in this process (they can be rebuilt)."""
        data = {**data, "format": MEMORY_FORMAT}
        _memories.setdefault(store, {})[self.key] = data
        file = self._file(store)
        if file is None:
            return
        tmp = file.with_name(file.name + ".tmp")
        try:
            tmp.write_bytes(marshal.dumps({k: v for k, v in data.items() if not k.startswith("_")}))
            os.replace(tmp, file)
        except OSError as e:
            log.warning("cannot keep %s (the next run recomputes from scratch): %s", file, e)
            file.unlink(missing_ok=True)

    def forget(self, store) -> None:
        _memories.setdefault(store, {})[self.key] = None
        file = self._file(store)
        if file is not None:
            file.unlink(missing_ok=True)


def write_difference(store, graph: ox.NamedNode, gone: Iterable[Triple], came: Iterable[Triple]) -> None:
    """Remove ``gone`` from ``graph`` and add ``came``, in one update (one transaction).

    The triples must hold no blank node (``DELETE DATA`` cannot name one).
    """
    parts = []
    for keyword, triples in (("DELETE", gone), ("INSERT", came)):
        lines = sorted(f"{s} {p} {o} .\n" for s, p, o in triples)
        if lines:
            parts.append(f"{keyword} DATA {{ GRAPH {graph} {{\n{''.join(lines)}}} }}")
    if parts:
        store.update(" ;\n".join(parts))


def write_graph(store, graph: ox.NamedNode, triples: Iterable[Triple], digest_value: str) -> None:
    """Make ``graph`` hold exactly ``triples`` and the digest of its content, in one go.

    A graph not in the store yet is written with ``store.add_graphs`` (bulk-loaded when large),
    the digest last: a graph left without its digest by a crash is rebuilt by the next run. An
    existing one (or one holding blank nodes, which bulk loading would rename) goes through
    ``store.replace_graph``, which writes only the difference.
    """
    triples = list(triples)
    content = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples).encode()
    marker = " ".join((*digest_triple(graph, digest_value), str(graph), ".\n")).encode()
    if not has_blank_node(triples) and not bool(store.query(_EXISTS, {ox.Variable("g"): graph})):
        store.add_graphs([(content, marker)])
    else:
        store.replace_graph(graph, list(ox.parse(content + marker, format=ox.RdfFormat.N_QUADS)))


def as_quads(triples: Iterable[Triple], graph: ox.NamedNode) -> list[ox.Quad]:
    text = "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))


def as_triple(quad: ox.Quad) -> Triple:
    return str(quad.subject), str(quad.predicate), str(quad.object)


def has_blank_node(triples: Iterable[Triple]) -> bool:
    return any(term.startswith("_:") for t in triples for term in t)
