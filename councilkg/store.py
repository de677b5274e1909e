"""Graph stores: the embedded on-disk pyoxigraph store, or a remote SPARQL 1.1 server.

Both take the same calls. A document's graph is replaced with one SPARQL update
(``DROP SILENT GRAPH ...; INSERT DATA {...}``), which Oxigraph applies as a single
transaction, so a reader (or a crash) sees either the old graph or the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from councilkg.errors import QueryError, StoreError

RDF_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle", ".ttl"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", ".trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads", ".nq"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples", ".nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", ".jsonld"),
}
#: Below this much N-Quads, new document graphs are written in one transaction rather than bulk-loaded.
BULK_BYTES = 4 * 1024 * 1024
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


def insert_data(graph: ox.NamedNode, quads: Iterable[ox.Quad], also: Iterable[ox.Quad] = ()) -> str:
    """A ``DROP SILENT GRAPH`` + ``INSERT DATA`` update that replaces ``graph`` with ``quads``.

    ``also`` are quads of other graphs added in the same update (set semantics: a quad already
    there stays once).
    """
    triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    extra = "".join(f"\nGRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in also)
    return f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{triples}\n}}{extra} }}"


def delete_data(quads: Iterable[ox.Quad]) -> str:
    """A ``DELETE DATA`` update removing ``quads`` (each from its own graph)."""
    body = "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
    return f"DELETE DATA {{\n{body}\n}}"


def insert_quads(quads: Iterable[ox.Quad]) -> str:
    """An ``INSERT DATA`` update adding ``quads`` (each to its own graph)."""
    body = "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
    return f"INSERT DATA {{\n{body}\n}}"


class GraphStore:
    """What councilkg needs of a store."""

    location: str

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    def query(self, sparql: str, substitutions: dict | None = None):
        """SELECT -> ``ox.QuerySolutions``, ASK -> ``ox.QueryBoolean``, CONSTRUCT -> ``ox.QueryTriples``."""
        raise NotImplementedError

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad], also: list[ox.Quad] = ()) -> None:
        """Atomically make ``graph`` hold exactly ``quads`` (and add the quads ``also`` to their graphs)."""
        self.update(insert_data(graph, quads, also))

    def apply_update(self, sparql: str) -> tuple[int, int]:
        """Run a SPARQL update; how many quads it added and removed (net counts on a remote store)."""
        before = self.quad_count()
        self.update(sparql)
        change = self.quad_count() - before
        return max(change, 0), max(-change, 0)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def has_graph(self, graph: ox.NamedNode) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def add_graphs(self, documents: list[tuple[bytes, bytes]]) -> None:
        """Write document graphs not in the store yet, each given as N-Quads ``(content, marker)``.

        ``content`` holds the graph and the entity descriptions it adds, ``marker`` its
        ``ckg:sha256``; a graph is known as loaded once its marker is there. Here each
        document is replaced on its own, atomically.
        """
        for content, marker in documents:
            quads = list(ox.parse(content + marker, format=ox.RdfFormat.N_QUADS))
            graph = quads[-1].graph_name  # the marker's, which comes last
            self.replace_graph(graph, [q for q in quads if q.graph_name == graph],
                               [q for q in quads if q.graph_name != graph])

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
        """Quads in the named graphs (the default graph is their union, so it is not counted again)."""
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def export(self, fmt: str, graph: ox.NamedNode | None = None, prefixes: dict | None = None) -> bytes:
        """The export as bytes (see :meth:`export_to`); for small stores, or one graph."""
        buffer = io.BytesIO()
        self.export_to(buffer, fmt, graph, prefixes)
        return buffer.getvalue()

    def export_to(self, output: BinaryIO | str | os.PathLike, fmt: str, graph: ox.NamedNode | None = None,
                  prefixes: dict | None = None) -> None:
        """Write the store (or one ``graph``) in ``fmt`` to ``output`` as it is serialised.

        ``output`` is a binary file, or a path written atomically: the export goes to a
        temporary file beside it, which replaces the path only once it is complete, so a
        failed export leaves no file (and an older file there stays as it was). Dataset
        formats (TriG, N-Quads, JSON-LD) keep the named graphs when no ``graph`` is given;
        the others hold each triple of the union of the graphs once, in the order of their
        N-Triples text, so two exports of the same store are byte-identical.
        """
        if isinstance(output, (str, os.PathLike)):
            path = Path(output)
            with atomic_output(path) as file:
                self._export(file, fmt, graph, prefixes, f"cannot write {path}")
        else:
            self._export(output, fmt, graph, prefixes, "cannot write the export")

    def _export(self, output: BinaryIO, fmt: str, graph: ox.NamedNode | None, prefixes: dict | None,
                failed: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` (with ``os.replace``) only if the block ends without error.

    The temporary file is in the same folder (a rename across file systems is not atomic)
    and is removed on any error, Ctrl-C included. The result gets the mode an ordinary
    ``open(path, "wb")`` would give it.
    """
    folder = path.parent
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _new_file_mode(path))
        os.replace(temporary, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(e, OSError):
            raise StoreError(f"cannot write {path}: {e.strerror or e}") from e
        raise


def _new_file_mode(path: Path) -> int:
    """The mode of ``path`` if it exists, else what the umask leaves of 0o666 (mkstemp makes 0o600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class EmbeddedStore(GraphStore):
    """An on-disk pyoxigraph store. Queries see the union of all graphs as the default graph.

    One process at a time: opening takes an exclusive lock on ``LOCK_FILE`` in the store
    directory and writes the process id there; a second process (reader or writer) waits
    up to ``lock_timeout`` seconds (default: not at all) and then fails with "store is
    locked by PID ...". RocksDB admits a single read-write opener anyway, so shared
    readers would gain nothing. The lock is an ``fcntl.flock`` on an open file, so the
    kernel releases it when the process ends, however it ends (SIGKILL included); a
    stale PID left in the file is harmless. ``read_only=True`` opens the store without the
    lock, for a helper process of the lock's holder (``pages`` renders with two processes).
    """

    LOCK_FILE = ".lock"

    def __init__(self, path: Path, lock_timeout: float = 0.0, read_only: bool = False):
        self.path = Path(path)
        self.location = str(self.path)
        self._lock = None
        self.read_only = read_only
        if read_only:
            # A reader beside the process that holds the lock (the second process of `pages`):
            # RocksDB opens read-only without its own lock and sees the store as it was when opened.
            try:
                self._store = ox.Store.read_only(str(self.path))
            except OSError as e:
                raise StoreError(f"cannot open store {self.path} read-only: {e}") from e
            return
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

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad], also: list[ox.Quad] = ()) -> None:
        """Atomically make ``graph`` hold exactly ``quads`` (and add ``also`` to their graphs).

        A graph that does not exist yet is written with one transactional ``extend`` (no
        SPARQL text to build and parse). An existing one is brought to its new content by
        one SPARQL update holding only the difference (``DELETE DATA`` what went,
        ``INSERT DATA`` what came), which Oxigraph applies as one transaction: a reader
        never sees the graph half old and half new, and re-deriving a large graph (the
        similarity links, the inferences) after a small change writes a small update.
        """
        quads = [q if q.graph_name == graph else ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        try:
            if not self._store.contains_named_graph(graph):
                self._store.extend([*quads, *also])
                return
            old = set(self._store.quads_for_pattern(None, None, None, graph))
            new = set(quads)
            extra = {q for q in also if q not in self._store}
        except OSError as e:
            raise StoreError(f"cannot write store {self.path}: {e}") from e
        if any(_has_blank_node(q) for q in (*old, *new)):
            # DELETE DATA cannot name blank nodes, and their labels differ between reads.
            super().replace_graph(graph, quads, also)
            return
        gone, came = old - new, (new - old) | extra
        if not gone and not came:
            return
        parts = []
        if gone:
            parts.append(delete_data(sorted(gone, key=str)))
        if came:
            parts.append(insert_quads(sorted(came, key=str)))
        self.update(" ;\n".join(parts))

    def has_graph(self, graph: ox.NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def add_graphs(self, documents: list[tuple[bytes, bytes]]) -> None:
        """Write document graphs not in the store yet (see :meth:`GraphStore.add_graphs`).

        A few documents go in one transaction. Many are bulk-loaded, which skips
        transactions and is several times faster, and only then are their markers written,
        in one transaction: a crash in between leaves graphs without a marker, which the
        next load takes for not loaded and replaces. (No reader can look in between: the
        store is locked by the loading process.)
        """
        content = b"".join(c for c, _ in documents)
        markers = b"".join(m for _, m in documents)
        try:
            if len(content) < BULK_BYTES:
                self._store.load(content + markers, format=ox.RdfFormat.N_QUADS)
                return
            self._store.bulk_load(content, format=ox.RdfFormat.N_QUADS)
            self._store.load(markers, format=ox.RdfFormat.N_QUADS)
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

    def quad_count(self) -> int:
        """Every quad stored (councilkg writes only to named graphs)."""
        return len(self._store)

    def quads(self, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
        return list(self._store.quads_for_pattern(None, None, None, graph))

    def _export(self, output: BinaryIO, fmt: str, graph: ox.NamedNode | None, prefixes: dict | None,
                failed: str) -> None:
        """Stream the export: Oxigraph's dump for a dataset, else :meth:`_sorted_triples`."""
        rdf_format = RDF_FORMATS[fmt][0]
        try:
            if rdf_format.supports_datasets and graph is None:
                self._store.dump(output, rdf_format, prefixes=prefixes or None)
            else:
                ox.serialize(self._sorted_triples(graph), output, rdf_format, prefixes=prefixes or None)
        except OSError as e:
            raise StoreError(f"{failed}: {e.strerror or e}") from e

    def _sorted_triples(self, graph: ox.NamedNode | None) -> Iterator[ox.Triple]:
        """Each triple of the union of the graphs (or of ``graph``) once, sorted by ``str``.

        Subject by subject, in the order of their text: sorting the subjects, then each
        subject's triples, gives the order of sorting every triple, since a subject's text
        ends where the triple's next space begins. Only the subjects (about one per ten
        triples) and one subject's triples are held at a time, not millions of triples.
        """
        if graph is None:  # the default graph is the union of all graphs (the default one too)
            rows = self.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
        else:
            rows = self.query("SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {ox.Variable("g"): graph})
        subjects = sorted((row["s"] for row in rows), key=str)
        for subject in subjects:
            # Keyed by text: the same triple in several graphs comes once, and the text is the sort key.
            triples = {}
            for quad in self._store.quads_for_pattern(subject, None, None, graph):
                triple = quad.triple
                triples[str(triple)] = triple
            for key in sorted(triples):
                yield triples[key]

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        if hasattr(self, "_store"):
            if not self.read_only:
                self.flush()
            del self._store
        if self._lock is not None:
            self._lock.release()


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


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
                    holder = _lock_holder(self.path) or self._holder(fd)
                    os.close(fd)
                    raise StoreError(
                        f"store is locked by {f'PID {holder}' if holder else 'another process'}: {store} is in use "
                        "by another councilkg command; wait for it to finish"
                    ) from None
                time.sleep(0.05)
            except OSError as e:
                os.close(fd)
                raise StoreError(f"cannot lock store {store}: {e.strerror or e}") from e
        # Written only once the lock is held, so a waiting process never erases the holder's PID.
        pid = f"{os.getpid()}\n".encode()
        os.pwrite(fd, pid, 0)
        os.ftruncate(fd, len(pid))
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


def _lock_holder(path: Path) -> int | None:
    """The PID holding a lock (flock or POSIX) on ``path``, from ``/proc/locks`` (Linux), if known.

    The kernel's record has no window in which it is out of date, unlike a PID the holder
    writes into the file after taking the lock.
    """
    try:
        inode = path.stat().st_ino
        with open("/proc/locks", encoding="ascii") as f:
            for line in f:
                parts = line.split()
                # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (a waiter's line has "->" after the number)
                if len(parts) >= 6 and parts[1] != "->" and parts[5].rsplit(":", 1)[-1] == str(inode) \
                        and parts[4].isdigit():
                    return int(parts[4])
    except (OSError, ValueError):
        return None
    return None


def _rocksdb_lock_holder(store: Path) -> int | None:
    """The PID holding RocksDB's own ``LOCK`` file of ``store``, if known."""
    return _lock_holder(store / "LOCK")


class RemoteStore(GraphStore):
    """A SPARQL 1.1 server: queries and updates through the SPARQL Protocol, document graphs
    written through the Graph Store Protocol (``PUT``/``DELETE ...?graph=IRI``).

    The endpoint layout is Oxigraph server's unless the ``--store`` URL says otherwise in
    its fragment: a layout name (``#oxigraph``, ``#fuseki``, ``#graphdb``), and/or explicit
    paths relative to the URL (``#query=/sparql&update=/update&gsp=/data``)::

        http://127.0.0.1:7878                          oxigraph serve: /query /update /store
        http://127.0.0.1:3030/councilkg#fuseki         Fuseki dataset: /query /update /data
        http://127.0.0.1:7200/repositories/ckg#graphdb GraphDB: (repository) /statements /rdf-graphs/service

    The server's default graph must be the union of the named graphs (``oxigraph serve
    --union-default-graph``; Fuseki ``tdb2:unionDefaultGraph true``; GraphDB does so by
    default) so that saved queries see every document.
    """

    LAYOUTS = {
        "oxigraph": {"query": "/query", "update": "/update", "gsp": "/store"},
        "fuseki": {"query": "/query", "update": "/update", "gsp": "/data"},
        "graphdb": {"query": "", "update": "/statements", "gsp": "/rdf-graphs/service"},
    }

    def __init__(self, url: str, timeout: float = 60.0):
        base, _, fragment = url.partition("#")
        self.location = url
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.paths = dict(self.LAYOUTS["oxigraph"])
        for part in filter(None, fragment.split("&")):
            key, sep, value = part.partition("=")
            if not sep and key in self.LAYOUTS:
                self.paths = dict(self.LAYOUTS[key])
            elif sep and key == "layout" and value in self.LAYOUTS:
                self.paths = dict(self.LAYOUTS[value])
            elif sep and key in self.paths:
                self.paths[key] = urllib.parse.unquote(value)
            else:
                layouts = ", ".join(self.LAYOUTS)
                raise StoreError(
                    f"store URL {url}: unknown fragment {part!r} (use a layout: {layouts}; "
                    "or query=PATH, update=PATH, gsp=PATH)"
                )

    def endpoint(self, kind: str, graph: ox.NamedNode | None = None) -> str:
        url = self.base + self.paths[kind]
        if graph is not None:
            url += "?" + urllib.parse.urlencode({"graph": graph.value})
        return url

    def _request(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
                 accept: str | None = None, missing_ok: bool = False) -> bytes:
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            if missing_ok and e.code == 404:
                return b""
            if e.code == 400:
                raise QueryError(detail or str(e)) from e
            raise StoreError(f"{method} {url} answered {e.code}: {detail[:500]}") from e
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"cannot reach store {self.base}: {getattr(e, 'reason', e)}") from e

    def _post(self, path: str, body: bytes, content_type: str, accept: str | None = None) -> bytes:
        return self._request("POST", self.base + path, body, content_type, accept)

    def update(self, sparql: str) -> None:
        form = urllib.parse.urlencode({"update": sparql}).encode("ascii")
        self._request("POST", self.endpoint("update"), form, "application/x-www-form-urlencoded")

    def query(self, sparql: str, substitutions: dict | None = None):
        if substitutions:
            sparql = with_values(sparql, substitutions)
        form = urllib.parse.urlencode({"query": sparql}).encode("ascii")
        body = self._request("POST", self.endpoint("query"), form, "application/x-www-form-urlencoded",
                             "application/sparql-results+json, application/n-triples;q=0.9")
        if body.lstrip().startswith(b"{"):
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        return ox.parse(body, ox.RdfFormat.N_TRIPLES)

    def replace_graph(self, graph: ox.NamedNode, quads: list[ox.Quad], also: list[ox.Quad] = ()) -> None:
        """Graph Store Protocol ``PUT``: the server replaces the graph in one request.

        The quads ``also`` (shared entity descriptions, idempotent) follow in a second request.
        """
        if also:
            self.update(insert_quads(also))
        if not quads:
            self.drop_graph(graph)
            return
        triples = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
        self._request("PUT", self.endpoint("gsp", graph), triples, "application/n-triples")

    def drop_graph(self, graph: ox.NamedNode) -> None:
        """Graph Store Protocol ``DELETE`` (a graph that is not there is fine)."""
        self._request("DELETE", self.endpoint("gsp", graph), missing_ok=True)

    def _export(self, output: BinaryIO, fmt: str, graph: ox.NamedNode | None, prefixes: dict | None,
                failed: str) -> None:
        """Read through SELECT (portable: no GSP dump, no union-default-graph assumption).

        The quads are sorted here, so they are held in memory once; the serialisation is
        written to ``output`` as it is made.
        """
        rdf_format = RDF_FORMATS[fmt][0]
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                          {ox.Variable("g"): graph} if graph is not None else None)
        if graph is None and rdf_format.supports_datasets:
            statements = sorted({ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}, key=str)
        else:  # one graph, or the union: each triple once
            statements = sorted({ox.Triple(r["s"], r["p"], r["o"]) for r in rows}, key=str)
        try:
            ox.serialize(statements, output, rdf_format, prefixes=prefixes or None)
        except OSError as e:
            raise StoreError(f"{failed}: {e.strerror or e}") from e


def with_values(sparql: str, substitutions: dict) -> str:
    """Bind variables for a remote endpoint with a VALUES block written by pyoxigraph's term syntax.

    The block goes after the outermost WHERE clause's opening brace, so it constrains the
    whole pattern the way pyoxigraph's ``substitutions=`` does. Comments, IRIs and strings
    are masked first, so a "where" in a query's header comment is not taken for the keyword.
    """
    names = " ".join(f"?{var.value}" for var in substitutions)
    values = " ".join(str(term) for term in substitutions.values())
    block = f"VALUES ({names}) {{ ({values}) }}"
    masked = _MASKED.sub(lambda m: " " * len(m.group(0)), sparql)
    where = _WHERE.search(masked)
    brace = masked.find("{", where.end() if where else 0)
    if brace < 0:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    return sparql[: brace + 1] + "\n  " + block + "\n" + sparql[brace + 1 :]


# IRIs, string literals and comments (masked before looking for the WHERE keyword).
_MASKED = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_WHERE = re.compile(r"\bWHERE\b", re.I)
