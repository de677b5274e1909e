"""Graph stores: the embedded on-disk pyoxigraph store, or a remote SPARQL 1.1 server.

Both take the same calls. A document's graph is replaced with one SPARQL update
(``DROP SILENT GRAPH ...; INSERT DATA {...}``), which Oxigraph applies as a single
transaction, so a reader (or a crash) sees either the old graph or the new one.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import QueryError, StoreError

RDF_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle", ".ttl"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", ".trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads", ".nq"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples", ".nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", ".jsonld"),
}
#: The provenance of graphs; used to find the sha256 of what is loaded.
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def open_store(location: str) -> "GraphStore":
    """The store at ``location``: an ``http(s)://`` server, else an embedded store directory."""
    if location.startswith(("http://", "https://")):
        return RemoteStore(location)
    return EmbeddedStore(Path(location))


def insert_data(graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> str:
    """A ``DROP SILENT GRAPH`` + ``INSERT DATA`` update that replaces ``graph`` with ``quads``."""
    triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{triples}\n}} }}"


class GraphStore:
    """What councilkg needs of a store."""

    location: str

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    def query(self, sparql: str, substitutions: dict | None = None):
        """SELECT -> ``ox.QuerySolutions``, ASK -> ``ox.QueryBoolean``, CONSTRUCT -> ``ox.QueryTriples``."""
        raise NotImplementedError

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad]) -> None:
        """Atomically make ``graph`` hold exactly ``quads``."""
        self.update(insert_data(graph, quads))

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def graph_property(self, graph: ox.NamedNode, predicate: str) -> str | None:
        result = self.query(
            "SELECT * WHERE { GRAPH ?g { ?g ?p ?v } } LIMIT 1",
            {ox.Variable("g"): graph, ox.Variable("p"): ox.NamedNode(predicate)},
        )
        for row in result:
            return row["v"].value
        return None

    def named_graphs(self) -> list[str]:
        return sorted(row["g"].value for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"))

    def quad_count(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"))
        return int(rows[0]["n"].value)

    def export(self, fmt: str, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmbeddedStore(GraphStore):
    """An on-disk pyoxigraph store. Queries see the union of all graphs as the default graph."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreError(
                    f"store {self.path} is in use by another councilkg process; wait for it to finish"
                ) from e
            raise StoreError(f"cannot open store {self.path}: {e}") from e

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as e:
            raise QueryError(f"update rejected: {e}") from e
        except OSError as e:
            raise StoreError(f"cannot write store {self.path}: {e}") from e

    def query(self, sparql: str, substitutions: dict | None = None):
        try:
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=substitutions or None)
        except SyntaxError as e:
            raise QueryError(str(e)) from e
        except OSError as e:
            raise QueryError(f"query failed: {e}") from e

    def quads(self, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
        return list(self._store.quads_for_pattern(None, None, None, graph))

    def export(self, fmt: str, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        rdf_format = RDF_FORMATS[fmt][0]
        if rdf_format.supports_datasets and graph is None:
            return self._store.dump(format=rdf_format, prefixes=prefixes or None)
        # A triple format: the union of every graph (or one graph), each triple once.
        quads = self._store.quads_for_pattern(None, None, None, graph)
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes or None)

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store


class RemoteStore(GraphStore):
    """A SPARQL 1.1 server with Oxigraph's endpoint layout (``/query``, ``/update``, ``/store``).

    The server should treat its default graph as the union of named graphs
    (``oxigraph serve --union-default-graph``) so that saved queries see every document.
    """

    def __init__(self, url: str, timeout: float = 60.0):
        self.location = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, body: bytes, content_type: str, accept: str | None = None) -> bytes:
        request = urllib.request.Request(
            self.location + path, data=body, method="POST", headers={"Content-Type": content_type}
        )
        if accept:
            request.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            if e.code == 400:
                raise QueryError(detail or str(e)) from e
            raise StoreError(f"{self.location}{path} answered {e.code}: {detail}") from e
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach store {self.location}: {e}") from e

    def update(self, sparql: str) -> None:
        self._post("/update", sparql.encode("utf-8"), "application/sparql-update")

    def query(self, sparql: str, substitutions: dict | None = None):
        if substitutions:
            sparql = with_values(sparql, substitutions)
        body = self._post(
            "/query",
            sparql.encode("utf-8"),
            "application/sparql-query",
            "application/sparql-results+json, application/n-triples;q=0.9",
        )
        if body.lstrip().startswith(b"{"):
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        return ox.parse(body, ox.RdfFormat.N_TRIPLES)

    def export(self, fmt: str, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        quads = ox.parse(
            self._post("/query", b"CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/sparql-query",
                       "application/n-triples"),
            ox.RdfFormat.N_TRIPLES,
        )
        return ox.serialize(sorted(quads, key=str), format=RDF_FORMATS[fmt][0], prefixes=prefixes or None)


def with_values(sparql: str, substitutions: dict) -> str:
    """Bind variables for a remote endpoint with a VALUES block written by pyoxigraph's term syntax.

    The block goes after the outermost WHERE clause's opening brace, so it constrains the
    whole pattern the way pyoxigraph's ``substitutions=`` does.
    """
    names = " ".join(f"?{var.value}" for var in substitutions)
    values = " ".join(str(term) for term in substitutions.values())
    block = f"VALUES ({names}) {{ ({values}) }}"
    index = sparql.upper().find("WHERE")
    brace = sparql.find("{", index if index >= 0 else 0)
    if brace < 0:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    return sparql[: brace + 1] + "\n  " + block + "\n" + sparql[brace + 1 :]
