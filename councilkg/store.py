"""Graph stores: the embedded on-disk pyoxigraph store, or a remote SPARQL 1.1 server.

Both take the same calls. A document's graph is replaced with one SPARQL update
(``DROP SILENT GRAPH ...; INSERT DATA {...}``), which Oxigraph applies as a single
transaction, so a reader (or a crash) sees either the old graph or the new one.
"""

from __future__ import annotations

import fcntl
import os
import time
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


def open_store(location: str, lock_timeout: float = 0.0) -> "GraphStore":
    """The store at ``location``: an ``http(s)://`` server, else an embedded store directory.

    An embedded store is locked for this process; ``lock_timeout`` is how long to wait for
    another process to let go of it.
    """
    if location.startswith(("http://", "https://")):
        return RemoteStore(location)
    return EmbeddedStore(Path(location), lock_timeout=lock_timeout)


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

    def apply_update(self, sparql: str) -> tuple[int, int]:
        """Run a SPARQL update; how many quads it added and removed (net counts on a remote store)."""
        before = self.quad_count()
        self.update(sparql)
        change = self.quad_count() - before
        return max(change, 0), max(-change, 0)

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
    """An on-disk pyoxigraph store. Queries see the union of all graphs as the default graph.

    One process at a time: opening takes an exclusive lock on ``LOCK_FILE`` in the store
    directory and writes the process id there; a second process (reader or writer) waits
    up to ``lock_timeout`` seconds (default: not at all) and then fails with "store is
    locked by PID ...". RocksDB admits a single read-write opener anyway, so shared
    readers would gain nothing. The lock is an ``fcntl.flock`` on an open file, so the
    kernel releases it when the process ends, however it ends (SIGKILL included); a
    stale PID left in the file is harmless.
    """

    LOCK_FILE = ".lock"

    def __init__(self, path: Path, lock_timeout: float = 0.0):
        self.path = Path(path)
        self.location = str(self.path)
        self._lock = None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create store directory {self.path}: {e.strerror or e}") from e
        self._lock = _StoreLock(self.path / self.LOCK_FILE)
        self._lock.acquire(lock_timeout, self.path)
        try:
            self._store = ox.Store(str(self.path))
        except OSError as e:
            self._lock.release()
            if "lock" in str(e).lower():
                # Another program (an oxigraph server, an old councilkg) holds RocksDB's own LOCK file.
                holder = _rocksdb_lock_holder(self.path)
                raise StoreError(
                    f"store is locked by {f'PID {holder}' if holder else 'another process'}: {self.path} is open "
                    "elsewhere; wait for it to finish"
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

    def apply_update(self, sparql: str) -> tuple[int, int]:
        """Run a SPARQL update (one transaction); how many quads it added and removed."""
        before = set(self._store.quads_for_pattern(None, None, None))
        self.update(sparql)
        after = set(self._store.quads_for_pattern(None, None, None))
        return len(after - before), len(before - after)

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
        if hasattr(self, "_store"):
            self.flush()
            del self._store
        if self._lock is not None:
            self._lock.release()


class _StoreLock:
    """An exclusive ``flock`` on a file that names its holder's PID."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float, store: Path) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"cannot open store {store}: lock file {self.path}: {e.strerror or e}") from e
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    os.close(fd)
                    raise StoreError(
                        f"store is locked by {f'PID {holder}' if holder else 'another process'}: {store} is in use "
                        "by another councilkg command; wait for it to finish"
                    ) from None
                time.sleep(0.05)
            except OSError as e:
                os.close(fd)
                raise StoreError(f"cannot lock store {store}: {e.strerror or e}") from e
        # Truncate only once the lock is held, so a waiting process never erases the holder's PID.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    @staticmethod
    def _holder(fd: int) -> int | None:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the flock

    def __del__(self):
        self.release()


def _rocksdb_lock_holder(store: Path) -> int | None:
    """The PID holding RocksDB's ``LOCK`` file of ``store``, from ``/proc/locks`` (Linux), if known."""
    try:
        inode = (store / "LOCK").stat().st_ino
        with open("/proc/locks", encoding="ascii") as f:
            for line in f:
                parts = line.split()
                # "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
                if len(parts) >= 6 and parts[5].rsplit(":", 1)[-1] == str(inode) and parts[4].isdigit():
                    return int(parts[4])
    except (OSError, ValueError):
        return None
    return None


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
