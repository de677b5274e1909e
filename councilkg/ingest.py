"""Reading source files into the store: extract text (PDF, HTML, Word, plain text; see textract), detect, extract, write one named graph per document.

Each file is handled on its own: a file that cannot be read, decoded or recognised is
rejected with its name and the reason, nothing of it reaches the store, and the other
files still load. A document whose content and loader version are unchanged is left
as it is, so loading the same file twice leaves the same graph.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from councilkg import textract
from councilkg import reference
from councilkg.errors import CouncilKGError, DocumentRejected
from councilkg.iri import Minter
from councilkg.loaders import Document, Loader, detect
from councilkg.model import Extraction
from councilkg.namespaces import CKG, ONTOLOGY_GRAPH
from councilkg.rdf import SourceInfo, document_quads

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
            council=_canonical_council(extraction.council.name), facts=extraction.fact_count(), graph=graph.value,
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


def _canonical_council(name: str) -> str:
    """The council's canonical name where the reference data knows it, else as written."""
    found = reference.resolve_council(name)
    return found.name if found else name
