"""Reading source files into the store: decode, detect, extract, write one named graph per document.

Each file is handled on its own: a file that cannot be read, decoded or recognised is
rejected with its name and the reason, nothing of it reaches the store, and the other
files still load. A document whose content and loader version are unchanged is left
as it is, so loading the same file twice leaves the same graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import CouncilKGError, DocumentRejected
from councilkg.iri import Minter
from councilkg.loaders import Document, Loader, detect
from councilkg.model import Extraction
from councilkg.namespaces import CKG, ONTOLOGY_GRAPH
from councilkg.rdf import SourceInfo, document_quads

#: File endings read as plain text; other files are tried as text and rejected if binary.
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
#: Files skipped when walking folders (hidden files, editor and OS leftovers).
SKIP_NAMES = {".DS_Store", "Thumbs.db"}
ONTOLOGY_FILES = ("councilkg.ttl", "taxonomy.ttl", "themes.ttl")


@dataclass
class FileReport:
    """What happened to one file."""

    name: str
    status: str  # "loaded", "unchanged" or "rejected"
    kind: str | None = None
    council: str | None = None
    facts: int = 0
    quads: int = 0
    reason: str | None = None
    graph: str | None = None


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)

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
                if child.is_file() and not hidden and child.name not in SKIP_NAMES:
                    yield child
        else:
            yield path


def read_document(path: Path, max_bytes: int) -> tuple[Document, bytes]:
    """Read and decode a file; raise DocumentRejected with the reason if it cannot be used."""
    name = path.name
    if not path.exists():
        raise DocumentRejected(str(path), "no such file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentRejected(name, f"file is {size} bytes, over the limit of {max_bytes} (raise --max-bytes)")
        data = path.read_bytes()
    except PermissionError as e:
        raise DocumentRejected(name, f"cannot be read: permission denied") from e
    except IsADirectoryError as e:
        raise DocumentRejected(name, "is a directory") from e
    except OSError as e:
        raise DocumentRejected(name, f"cannot be read: {e.strerror or e}") from e
    return Document(name=name, source=decode(name, data), path=path), data


def decode(name: str, data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if not data.strip():
        raise DocumentRejected(name, "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DocumentRejected(name, f"not valid UTF-16 text: {e.reason}") from e
    else:
        if b"\x00" in data[:8192]:
            raise DocumentRejected(name, "binary file (contains NUL bytes), not a text document")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as e:
                raise DocumentRejected(name, f"not UTF-8 or Windows-1252 text: {e.reason}") from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise DocumentRejected(name, "binary file (control characters), not a text document")
    if not text.strip():
        raise DocumentRejected(name, "file is empty")
    return text


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


class Loading:
    """Loads files into one store."""

    def __init__(self, store, minter: Minter, max_bytes: int):
        self.store = store
        self.minter = minter
        self.max_bytes = max_bytes

    def ensure_ontology(self) -> None:
        """Load the ontology and taxonomies into their own graph when they changed."""
        data = b"".join(files("councilkg.ontology").joinpath(f).read_bytes() for f in ONTOLOGY_FILES)
        digest = sha256(data)
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        if self.store.graph_property(graph, str(CKG.sha256)) == digest:
            return
        quads = []
        for f in ONTOLOGY_FILES:
            for t in ox.parse(files("councilkg.ontology").joinpath(f).read_bytes(), ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        quads.append(ox.Quad(graph, ox.NamedNode(str(CKG.sha256)), ox.Literal(digest), graph))
        self.store.replace_graph(graph, quads)

    def load_file(self, path: Path, force: bool = False) -> FileReport:
        try:
            document, data = read_document(path, self.max_bytes)
            digest = sha256(data)
            loader, extraction, _ = extract(document)
        except DocumentRejected as e:
            return FileReport(name=str(path), status="rejected", reason=e.reason)
        stem = path.stem
        graph = self.minter.graph(stem)
        report = FileReport(
            name=str(path), status="loaded", kind=extraction.kind,
            council=extraction.council.name, facts=extraction.fact_count(), graph=graph.value,
        )
        if not force and self.is_loaded(graph, digest, extraction):
            report.status = "unchanged"
            return report
        source = SourceInfo(name=path.name, stem=stem, sha256=digest, loaded_at=datetime.now(timezone.utc))
        quads = document_quads(extraction, source, self.minter)
        self.store.replace_graph(graph, quads)
        report.quads = len(quads)
        return report

    def is_loaded(self, graph: ox.NamedNode, digest: str, extraction: Extraction) -> bool:
        """Whether ``graph`` already holds this content, read by this loader version."""
        rows = self.store.query(
            f"SELECT * WHERE {{ GRAPH ?g {{ ?g <{CKG.sha256}> ?h ; <{CKG.loader}> ?l ; <{CKG.loaderVersion}> ?v }} }}",
            {
                ox.Variable("g"): graph,
                ox.Variable("h"): ox.Literal(digest),
                ox.Variable("l"): ox.Literal(extraction.loader),
                ox.Variable("v"): ox.Literal(extraction.loader_version),
            },
        )
        return any(True for _ in rows)

    def document_graphs(self) -> dict[str, str]:
        """Loaded document graphs and their source file names."""
        rows = self.store.query(
            f"SELECT ?g ?f WHERE {{ GRAPH ?g {{ ?g <{CKG.sourceFile}> ?f }} }}"
        )
        return {row["g"].value: row["f"].value for row in rows}
