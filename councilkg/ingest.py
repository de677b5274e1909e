"""Reading source files into the store: extract text (PDF, HTML, Word, plain text; see textract), detect, extract, write one named graph per document.

Each file is handled on its own: a file that cannot be read, decoded or recognised is
rejected with its name and the reason, nothing of it reaches the store, and the other
files still load. A document whose content and loader version are unchanged is left
as it is, so loading the same file twice leaves the same graph.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from councilkg import reference, textract
from councilkg.derived import Memory
from councilkg.errors import CouncilKGError, DocumentRejected
from councilkg.iri import Minter
from councilkg.loaders import Document, Loader, detect, registry
from councilkg.model import Extraction
from councilkg.namespaces import CKG, ENTITIES_GRAPH, ONTOLOGY_GRAPH, PROV, SKOS
from councilkg.rdf import SourceInfo, document_quads, turtle

if TYPE_CHECKING:
    from councilkg import validation

#: Files skipped when walking folders (hidden files, editor and OS leftovers).
SKIP_NAMES = {".DS_Store", "Thumbs.db"}
#: Below this many files per worker, a process pool costs more than it saves.
MIN_PER_WORKER = 4
#: Files a worker prepares (and validates together) per task.
CHUNK = 32
#: New document graphs written per bulk load.
BATCH = 200
SHA256 = ox.NamedNode(str(CKG.sha256))
#: The SHA-256 of each file read, by its path, size, modification time and inode as they were
#: just before it was read (kept beside the store): a file that still has them is not read again.
_FILES = Memory("sources", prefix="files")
#: A file modified this close to when it was read may have changed again within the same clock
#: tick: it is read again ("racily clean", as git calls it).
RACY_NS = 2_000_000_000
#: Files remembered at most (the oldest are forgotten beyond this).
MAX_REMEMBERED = 200_000

Stat = tuple[int, int, int, int]  # size, mtime (ns), inode, when the file was stat'ed (ns)
ONTOLOGY_FILES = ("councilkg.ttl", "taxonomy.ttl", "themes.ttl")


@dataclass
class FileReport:
    """What happened to one file."""

    name: str
    status: str  # "loaded", "unchanged" or "rejected"
    kind: str | None = None
    council: str | None = None
    facts: int | None = 0
    quads: int = 0
    reason: str | None = None
    graph: str | None = None


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    #: SHACL report of what was loaded, when the load validated (build does).
    validation: "validation.Report | None" = None
    #: Document stem -> its data/ttl file, when the load rendered them (build does).
    turtle: dict[str, bytes] = field(default_factory=dict)

    @property
    def rejected(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "rejected"]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                # Everything but folders: a broken link or a pipe is reported by read_document, not skipped.
                if not child.is_dir() and not hidden and child.name not in SKIP_NAMES:
                    yield child
        else:
            yield path


def read_document(path: Path, max_bytes: int) -> tuple[Document, bytes]:
    """Read a file and extract its text; raise DocumentRejected with the reason if it cannot be used.

    The format (PDF, HTML, DOCX, text) is found from the content by
    :func:`councilkg.textract.extract_text`; a paged format sets ``Document.pages``.
    """
    name = path.name
    try:
        info = path.stat()
    except FileNotFoundError as e:
        reason = "broken symbolic link" if path.is_symlink() else "no such file"
        raise DocumentRejected(str(path), reason) from e
    except OSError as e:
        raise DocumentRejected(name, f"cannot be read: {e.strerror or e}") from e
    if stat.S_ISDIR(info.st_mode):
        raise DocumentRejected(name, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block the load or never end; only regular files are documents.
        raise DocumentRejected(name, "not a regular file (a pipe, socket or device)")
    if info.st_size > max_bytes:
        raise DocumentRejected(name, f"file is {info.st_size} bytes, over the limit of {max_bytes} (raise --max-bytes)")
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat()
    except PermissionError as e:
        raise DocumentRejected(name, "cannot be read: permission denied") from e
    except IsADirectoryError as e:
        raise DocumentRejected(name, "is a directory") from e
    except OSError as e:
        raise DocumentRejected(name, f"cannot be read: {e.strerror or e}") from e
    if len(data) > max_bytes:
        raise DocumentRejected(name, f"file is over the limit of {max_bytes} bytes (raise --max-bytes)")
    extracted = textract.extract_text(name, data)
    return Document(name=name, source=extracted.text, path=path, pages=extracted.pages), data


def decode(name: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16, else Windows-1252 (see :mod:`councilkg.textract`)."""
    return textract.decode_text(name, data)


def extract(document: Document) -> tuple[Loader, Extraction, dict[str, float]]:
    """Detect the document's kind and run its loader."""
    loader, scores = detect(document)
    try:
        extraction = loader.extract(document)
    except CouncilKGError:
        raise
    except Exception as e:  # a loader bug must not stop the other files; it is reported, not hidden
        raise DocumentRejected(document.name, f"the {loader.kind} loader failed: {type(e).__name__}: {e}") from e
    if extraction.council is None:
        raise DocumentRejected(document.name, f"read as {loader.kind}, but no council could be identified in it")
    return loader, extraction, scores


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ontology_digest() -> str:
    """The sha256 of the packaged ontology and taxonomies, as loaded into the ontology graph."""
    return sha256(b"".join(files("councilkg.ontology").joinpath(f).read_bytes() for f in ONTOLOGY_FILES))


@dataclass(frozen=True)
class Work:
    """What a worker does with each file, beyond reading and extracting it (picklable)."""

    max_bytes: int
    base_iri: str
    validate: bool = False  # SHACL-validate the quads it adds (build)
    turtle: bool = False  # render the document's data/ttl file (build)


@dataclass
class Prepared:
    """A file read, extracted and turned into quads, ready to be written (or why it was rejected)."""

    path: Path
    digest: str = ""
    rejection: str | None = None
    kind: str | None = None
    council: str | None = None  # canonical where the reference data knows it
    facts: int = 0
    graph: str | None = None
    quads: int = 0
    content: bytes = b""  # N-Quads: the document's graph and the entity descriptions it adds
    marker: bytes = b""  # N-Quads: the graph's ckg:sha256, written last (see Loading.write_all)
    turtle: bytes | None = None  # the document's file in data/ttl
    stat: Stat | None = None  # the file as it was just before it was read (see _FILES)


@dataclass
class Chunk:
    """Prepared files, and the SHACL report of the quads they add (when validated)."""

    items: list[Prepared]
    report: "validation.Report | None" = None


def prepare(path: Path, work: Work) -> tuple[Prepared, list[ox.Quad]]:
    """Read, decode, detect, extract one file and make its quads. Pure (no store): safe in a worker."""
    seen = file_stat(path)
    try:
        document, data = read_document(path, work.max_bytes)
        _, extraction, _ = extract(document)
    except DocumentRejected as e:
        return Prepared(path, rejection=e.reason), []
    minter = Minter(work.base_iri)
    graph = minter.graph(path.stem)
    digest = sha256(data)
    source = SourceInfo(name=path.name, stem=path.stem, sha256=digest, loaded_at=datetime.now(timezone.utc))
    quads = document_quads(extraction, source, minter)
    marker = [q for q in quads if q.subject == graph and q.predicate == SHA256 and q.graph_name == graph]
    rest = [q for q in quads if q not in marker]
    item = Prepared(
        path, digest, kind=extraction.kind, council=_canonical_council(extraction.council.name),
        facts=extraction.fact_count(), graph=graph.value, quads=len(quads),
        content=ox.serialize(rest, format=ox.RdfFormat.N_QUADS),
        marker=ox.serialize(marker, format=ox.RdfFormat.N_QUADS),
        turtle=turtle([q for q in quads if q.graph_name == graph], work.base_iri) if work.turtle else None,
        stat=seen,
    )
    return item, quads


def file_stat(path: Path) -> Stat | None:
    """What tells a file's content has not changed since: size, modification time, inode (and when asked)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino, time.time_ns()


def prepare_chunk(paths: list[Path], work: Work) -> Chunk:
    """:func:`prepare` a few files, and validate what they add in one pySHACL run (which has a fixed cost)."""
    items, quads = [], []
    for path in paths:
        item, item_quads = prepare(path, work)
        items.append(item)
        quads.extend(item_quads)
    report = None
    if work.validate and quads:
        from councilkg import validation

        report = validation.validate_quads(quads)
    return Chunk(items, report)


def prepare_all(paths: list[Path], work: Work, jobs: int) -> Iterator[Chunk]:
    """:func:`prepare_chunk` the paths a few at a time, in a process pool when ``jobs`` > 1; in input order.

    Each document is prepared on its own, so the output does not depend on the chunks
    or the number of processes (a test compares serial and parallel builds byte for byte).
    """
    if not paths:
        return
    if jobs <= 1 or len(paths) < 2 * MIN_PER_WORKER:
        yield prepare_chunk(paths, work)
        return
    workers = min(jobs, len(paths) // MIN_PER_WORKER)
    size = max(1, min(CHUNK, len(paths) // (workers * 4)))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(prepare_chunk, chunks, [work] * len(chunks))


class Loading:
    """Loads files into one store."""

    def __init__(self, store, minter: Minter, max_bytes: int):
        self.store = store
        self.minter = minter
        self.max_bytes = max_bytes
        self._hashed: dict[str, tuple[int, int, int, int, str]] = {}  # read this time (see _FILES)

    def ensure_ontology(self) -> None:
        """Load the ontology and taxonomies into their own graph when they changed."""
        digest = ontology_digest()
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        if self.store.graph_property(graph, str(CKG.sha256)) == digest:
            return
        quads = []
        for f in ONTOLOGY_FILES:
            for t in ox.parse(files("councilkg.ontology").joinpath(f).read_bytes(), ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        quads.append(ox.Quad(graph, ox.NamedNode(str(CKG.sha256)), ox.Literal(digest), graph))
        self.store.replace_graph(graph, quads)

    def write_all(self, prepared: Iterable[Prepared]) -> Iterator[FileReport]:
        """Put prepared documents into the store; a report per document, in order.

        A document whose graph exists is replaced in one transaction. New graphs are
        collected and bulk-loaded (:meth:`GraphStore.add_graphs`) ``BATCH`` at a time, each
        graph's ``ckg:sha256`` last, in a transaction of its own: a crash in between leaves
        graphs without it, which the next load sees as not loaded and replaces.
        """
        batch: list[tuple[Prepared, FileReport]] = []
        for item in prepared:
            if any(queued.graph == item.graph for queued, _ in batch):
                yield from self._flush(batch)  # two files with one stem: the later one replaces the earlier
            if item.rejection is not None:
                yield FileReport(name=str(item.path), status="rejected", reason=item.rejection)
                continue
            report = FileReport(name=str(item.path), status="loaded", kind=item.kind, council=item.council,
                                facts=item.facts, quads=item.quads, graph=item.graph)
            graph = ox.NamedNode(item.graph)
            if self.store.has_graph(graph):
                yield from self._flush(batch)
                quads = list(ox.parse(item.content + item.marker, format=ox.RdfFormat.N_QUADS))
                self.store.replace_graph(graph, [q for q in quads if q.graph_name == graph],
                                         [q for q in quads if q.graph_name != graph])
                yield report
                continue
            batch.append((item, report))
            if len(batch) >= BATCH:
                yield from self._flush(batch)
        yield from self._flush(batch)
        self._remember_files()

    def _flush(self, batch: list[tuple[Prepared, FileReport]]) -> Iterator[FileReport]:
        if batch:
            self.store.add_graphs([(item.content, item.marker) for item, _ in batch])
            for item, _ in batch:
                if item.stat is not None:
                    self._hashed[os.path.abspath(item.path)] = (*item.stat, item.digest)
            yield from (report for _, report in batch)
            batch.clear()

    def stored_state(self) -> dict[str, tuple[str, str, str, str, str]]:
        """Per document graph: sha256, loader, loader version, kind and council, in two queries."""
        rows = self.store.query(
            f"SELECT ?g ?h ?l ?v ?k ?c WHERE {{ GRAPH ?g {{ ?g <{CKG.sha256}> ?h ; <{CKG.loader}> ?l ;"
            f" <{CKG.loaderVersion}> ?v ; <{CKG.kind}> ?k ; <{PROV.wasDerivedFrom}> ?d ."
            f" OPTIONAL {{ ?d <{CKG.council}> ?c }} }} }}"
        )
        # The councils' names are in the entities graph; one query for all of them.
        names = {r["c"].value: r["n"].value for r in self.store.query(
            f"SELECT ?c ?n WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?c a <{CKG.Council}> ; <{SKOS.prefLabel}> ?n }} }}")}
        return {
            r["g"].value: (r["h"].value, r["l"].value, r["v"].value, r["k"].value,
                           names.get(r["c"].value, "") if r["c"] else "")
            for r in rows
        }

    def unchanged(self, path: Path, state: dict) -> FileReport | None:
        """A report for a file whose content is loaded already by the current loader version, else None.

        Only hashes the file, and not even that when its size, modification time and inode are
        as when it was last read (:data:`_FILES`): an unchanged document is neither decoded nor
        extracted again.
        """
        graph = self.minter.graph(path.stem).value
        if graph not in state:
            return None
        digest, loader_name, version, kind, council = state[graph]
        loader = registry().get(kind)
        if loader is None or type(loader).__name__ != loader_name or loader.version != version:
            return None
        if self._digest(path) != digest:
            return None
        return FileReport(name=str(path), status="unchanged", kind=kind, council=council, facts=None, graph=graph)

    def _digest(self, path: Path) -> str | None:
        """The file's SHA-256: remembered, if the file is as it was when it was read, else read now."""
        now = file_stat(path)
        if now is None:
            return None
        key = os.path.abspath(path)
        known = self._remembered().get(key)
        size, mtime, inode, _ = now
        if known is not None and tuple(known[:3]) == (size, mtime, inode) and known[3] - mtime > RACY_NS:
            self._hashed[key] = tuple(known)
            return known[4]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        found = sha256(data)
        self._hashed[key] = (*now, found)
        return found

    def _remembered(self) -> dict:
        memory = _FILES.get(self.store)
        return memory["files"] if memory is not None else {}

    def _remember_files(self) -> None:
        """Keep what was read this time (and what was remembered of other files) beside the store."""
        if not self._hashed:
            return
        files = {**self._remembered(), **self._hashed}
        if len(files) > MAX_REMEMBERED:
            files = dict(self._hashed)
        _FILES.put(self.store, {"files": files})
        self._hashed = {}

    def document_graphs(self) -> dict[str, str]:
        """Loaded document graphs and their source file names."""
        rows = self.store.query(
            f"SELECT ?g ?f WHERE {{ GRAPH ?g {{ ?g <{CKG.sourceFile}> ?f }} }}"
        )
        return {row["g"].value: row["f"].value for row in rows}


def _canonical_council(name: str) -> str:
    """The council's canonical name where the reference data knows it, else as written."""
    found = reference.resolve_council(name)
    return found.name if found else name
