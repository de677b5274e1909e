"""The library facade the CLI (and anyone else) drives: one object per store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from councilkg import inference, ingest, linking, similarity, sparql, validation
from councilkg.errors import CouncilKGError, DocumentRejected
from councilkg.iri import Minter
from councilkg.model import PartialDate
from councilkg.namespaces import ENTITIES_GRAPH, INFERRED_GRAPH, LINKS_GRAPH
from councilkg.rdf import prefixes, turtle
from councilkg.settings import Settings
from councilkg.store import RDF_FORMATS, GraphStore, open_store



@dataclass
class BuildReport:
    load: ingest.LoadReport
    removed: list[str] = field(default_factory=list)
    turtle: list[Path] = field(default_factory=list)
    ttl_dir: Path | None = None
    site_dir: Path | None = None
    quads: int = 0
    validation: "validation.Report | None" = None
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the build loaded or removed any document."""
        return bool(self.removed) or any(f.status == "loaded" for f in self.load.files)


#: In the cache folder: the sha256 of each ontology version HermiT found consistent, one per line.
CONSISTENT_RECORD = "consistent-ontologies"


class KnowledgeGraph:
    """Loads documents into a store, queries it, exports it and builds from a source folder."""

    def __init__(self, settings: Settings | None = None, store: GraphStore | None = None):
        self.settings = settings or Settings()
        self.minter = Minter(self.settings.base_iri)
        self._store = store

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_store(self.settings.store)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def prefixes(self) -> dict[str, str]:
        return prefixes(self.minter.base)

    # -- loading -------------------------------------------------------------------
    def load(self, paths, force: bool = False, progress: bool | None = None) -> ingest.LoadReport:
        """Load files and folders; each file is accepted or rejected on its own."""
        return self._load(paths, force, progress, validate=False, turtle=False)

    def _load(self, paths, force: bool, progress: bool | None, validate: bool, turtle: bool) -> ingest.LoadReport:
        loading = ingest.Loading(self.store, self.minter, self.settings.max_bytes)
        loading.ensure_ontology()
        report = ingest.LoadReport()
        paths = [Path(p) for p in paths]
        for missing in (p for p in paths if not p.exists()):
            report.files.append(ingest.FileReport(str(missing), "rejected", reason="no such file or folder"))
        files = list(ingest.iter_files(p for p in paths if p.exists()))
        show = self.settings.progress if progress is None else progress
        # Unchanged documents are only hashed. The rest are read, extracted, turned into quads
        # (and validated, and rendered as Turtle) by worker processes, and written in input order.
        state = {} if force else loading.stored_state()
        results: dict[str, ingest.FileReport] = {}
        todo = []
        for path in files:
            unchanged = None if force else loading.unchanged(path, state)
            if unchanged:
                results[str(path)] = unchanged
            else:
                todo.append(path)
        work = ingest.Work(self.settings.max_bytes, self.minter.base, validate=validate, turtle=turtle)
        checked = []

        def prepared():
            for chunk in ingest.prepare_all(todo, work, self.settings.jobs):
                if chunk.report is not None:
                    checked.append(chunk.report)
                for item in chunk.items:
                    if item.turtle is not None:
                        report.turtle[item.path.stem] = item.turtle
                    yield item

        with tqdm(total=len(todo), desc="loading", unit="doc", disable=not show or len(todo) < 2, leave=False) as bar:
            for file_report in loading.write_all(prepared()):
                results[file_report.name] = file_report
                bar.update()
        report.files.extend(results[str(path)] for path in files)
        if checked:
            report.validation = validation.merge(checked)
        loaded = [f.graph for f in report.files if f.status == "loaded"]
        if loaded:
            self.relink(changed=loaded)
        return report

    def relink(self, changed: list[str] | None = None) -> None:
        """Recompute what spans documents: person identities, similar recommendations, inferences.

        ``changed``: the graphs written or dropped since the last relink; each pass then reads
        only those again and writes only what differs (:mod:`councilkg.derived`). Without it,
        everything is recomputed.
        """
        linking.link_people(self.store, self.minter, changed=changed)
        similarity.link_similar(self.store, self.minter, changed=changed)
        inference.materialise(self.store, check=False, changed=changed)

    def forget_unused_entities(self) -> None:
        """Drop descriptions of councils, organisations and indicators no document names any more."""
        self.store.update(
            f"DELETE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }}"
            f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?q ?s }} FILTER(?g != <{ENTITIES_GRAPH}>) }} }}"
        )

    def check_ontology(self) -> str | None:
        """Check the ontology with HermiT; a warning (not an error) when no Java is installed.

        The packaged ontology is the same from one build to the next, and HermiT takes a
        second or more (a Java start), so a consistent ontology's sha256 is recorded in
        ``CONSISTENT_RECORD`` under the cache folder and not checked again.
        """
        try:
            inference.java_executable()
        except CouncilKGError as e:
            return f"ontology consistency not checked: {e}"
        digest = ingest.ontology_digest()
        record = self.settings.cache_dir / CONSISTENT_RECORD
        try:
            if digest in record.read_text(encoding="ascii").split():
                return None
        except (OSError, UnicodeDecodeError):
            pass
        inference.check_consistency()
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            with record.open("a", encoding="ascii") as f:
                f.write(digest + "\n")
        except OSError:
            pass  # an unwritable cache only means checking again next time
        return None

    def validate(self, graphs: list[ox.NamedNode] | None = None) -> "validation.Report":
        """SHACL validation of the whole graph (or of ``graphs``) against ontology/shapes.ttl."""
        return validation.validate(self.store, graphs)

    def build(self, progress: bool | None = None) -> BuildReport:
        """Rebuild from the sources folder: load, drop vanished documents, write Turtle."""
        sources = self.settings.sources
        if not sources.is_dir():
            raise DocumentRejected(str(sources), "sources folder does not exist")
        load = self._load([sources], force=False, progress=progress, validate=True, turtle=True)
        loading = ingest.Loading(self.store, self.minter, self.settings.max_bytes)
        present = {Path(f.name).name for f in load.files if f.status != "rejected"}
        removed, dropped = [], []
        for graph, source_file in loading.document_graphs().items():
            if source_file not in present:
                self.store.drop_graph(ox.NamedNode(graph))
                removed.append(source_file)
                dropped.append(graph)
        if removed:
            self.forget_unused_entities()
            self.relink(changed=dropped)
        report = BuildReport(load=load, removed=removed)
        changed = [f.graph for f in load.files if f.status == "loaded"]
        if changed or removed:
            warning = self.check_ontology()
            if warning:
                report.warnings.append(warning)
        if changed:
            # What this build wrote: each changed document's quads, checked with the ontology
            # as they were made. The graphs derived from all documents are checked by `councilkg validate`.
            report.validation = load.validation
        report.turtle = self.write_turtle(self.settings.ttl_dir, refresh=load.turtle)
        report.ttl_dir = self.settings.ttl_dir
        report.quads = self.store.quad_count()
        return report

    def write_turtle(self, out_dir: Path, refresh: dict[str, bytes] | None = None) -> list[Path]:
        """One Turtle file per document graph, plus the ontology and the shared entities, in a stable order.

        With ``refresh`` (document stem -> its file, as rendered when it was loaded), those
        files are written and the files of other documents only if missing.
        """
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        graphs = ingest.Loading(self.store, self.minter, self.settings.max_bytes).document_graphs()
        wanted = {Path(name).stem + ".ttl": graph for graph, name in graphs.items()}
        for stale in out_dir.glob("*.ttl"):
            if stale.name not in wanted and stale.name not in ("ontology.ttl", "entities.ttl"):
                stale.unlink()
        entities = out_dir / "entities.ttl"
        entities.write_bytes(self.graph_turtle(ox.NamedNode(ENTITIES_GRAPH)))
        written.append(entities)
        # The ontology as written (its OWL lists are blank nodes, whose labels a serialiser would
        # make up anew each time): the source files one after another, which is valid Turtle.
        ontology = out_dir / "ontology.ttl"
        ontology.write_bytes(b"".join(
            b"# ontology/" + name.encode() + b"\n" + files("councilkg.ontology").joinpath(name).read_bytes() + b"\n"
            for name in ingest.ONTOLOGY_FILES))
        written.append(ontology)
        for file_name, graph in sorted(wanted.items()):
            path = out_dir / file_name
            if refresh is not None and path.stem in refresh:
                path.write_bytes(refresh[path.stem])
            elif refresh is None or not path.exists():
                path.write_bytes(self.graph_turtle(ox.NamedNode(graph)))
            written.append(path)
        return written

    def graph_turtle(self, graph: ox.NamedNode) -> bytes:
        """One graph as Turtle, sorted, without volatile provenance (load time): see :func:`councilkg.rdf.turtle`."""
        rows = self.store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {ox.Variable("g"): graph})
        return turtle((ox.Triple(r["s"], r["p"], r["o"]) for r in rows), self.minter.base)

    # -- reading -------------------------------------------------------------------
    def query(self, name_or_path: str | None, params: dict[str, str], sparql_text: str | None = None):
        """Solutions of a saved query, a .rq file, or ad-hoc SPARQL text (read-only)."""
        if sparql_text is not None:
            sparql.check_read_only(sparql_text)
            return self.store.query(sparql_text)
        saved = sparql.find(name_or_path)
        substitutions = sparql.bind(saved, params, self.minter, self.store)
        return sparql.execute(self.store, saved, substitutions)

    def run(self, name_or_path: str, params: dict[str, str] | None = None) -> sparql.Result:
        return sparql.run(self.store, name_or_path, params, self.minter)

    def export(self, fmt: str, output=None) -> bytes | None:
        """The whole graph; TriG, N-Quads and JSON-LD keep the named graphs.

        Returned as bytes; or, given ``output`` (a binary file, or a path written
        atomically), written there as it is serialised, holding little in memory
        (see :meth:`councilkg.store.GraphStore.export_to`).
        """
        prefixes = self.prefixes() if fmt in ("turtle", "trig") else None
        if output is None:
            return self.store.export(fmt, prefixes=prefixes)
        self.store.export_to(output, fmt, prefixes=prefixes)
        return None

    def inspect(self, path: Path) -> dict:
        """What one document yields, without writing to the store."""
        document, data = ingest.read_document(Path(path), self.settings.max_bytes)
        loader, extraction, scores = ingest.extract(document)
        return {
            "file": str(path),
            "sha256": ingest.sha256(data),
            "kind": extraction.kind,
            "loader": f"{extraction.loader} {extraction.loader_version}",
            "detection": scores,
            "extraction": _plain(extraction),
        }


def _plain(value):
    """Dataclasses to JSON-ready values (dates as ISO strings, decimals as strings)."""
    if isinstance(value, PartialDate):
        return value.iso()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if getattr(value, f.name) not in (None, [], {})}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value


__all__ = ["KnowledgeGraph", "BuildReport", "RDF_FORMATS", "INFERRED_GRAPH", "LINKS_GRAPH"]
