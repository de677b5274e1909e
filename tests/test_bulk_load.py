"""New document graphs are bulk-loaded with their ckg:sha256 marker written last; the result is the
graph a transactional load makes, and a load cut off before the markers is repaired by the next one."""

from __future__ import annotations

import shutil

import pyoxigraph as ox

from councilkg import ingest, store as store_module
from councilkg.graph import KnowledgeGraph
from councilkg.model import PartialDate
from councilkg.namespaces import ONTOLOGY_GRAPH
from councilkg.rdf import VOLATILE
from councilkg.settings import Settings
from tests.conftest import SOURCES


def open_kg(path, jobs=1) -> KnowledgeGraph:
    return KnowledgeGraph(Settings(store=str(path), progress=False, jobs=jobs))


def content(kg: KnowledgeGraph) -> set:
    """Every quad but the load times and the ontology graph (whose OWL lists are blank nodes)."""
    return {q for q in kg.store.quads() if q.predicate.value not in VOLATILE and q.graph_name.value != ONTOLOGY_GRAPH}


def test_bulk_loaded_graphs_equal_transactional_ones(tmp_path, monkeypatch):
    small = open_kg(tmp_path / "transactional")
    small.load([SOURCES])
    monkeypatch.setattr(store_module, "BULK_BYTES", 0)  # every batch takes the bulk path
    bulk = open_kg(tmp_path / "bulk")
    bulk.load([SOURCES])
    try:
        assert content(bulk) == content(small)
        assert len(content(bulk)) > 5000
    finally:
        small.close()
        bulk.close()


def test_graphs_written_without_their_marker_are_loaded_again(tmp_path):
    kg = open_kg(tmp_path / "store")
    work = ingest.Work(kg.settings.max_bytes, kg.minter.base)
    files = sorted(SOURCES.iterdir())
    chunk = ingest.prepare_chunk(files, work)
    # A crash after the bulk load and before the markers: the graphs are there, unmarked.
    kg.store._store.bulk_load(b"".join(item.content for item in chunk.items), format=ox.RdfFormat.N_QUADS)
    assert all(kg.store.has_graph(ox.NamedNode(item.graph)) for item in chunk.items)
    report = kg.load([SOURCES])
    assert [f.status for f in report.files] == ["loaded"] * len(files)
    clean = open_kg(tmp_path / "clean")
    clean.load([SOURCES])
    try:
        assert content(kg) == content(clean)
        assert {f.status for f in kg.load([SOURCES]).files} == {"unchanged"}
    finally:
        kg.close()
        clean.close()


def test_two_files_with_one_stem_in_one_load_leave_the_later(tmp_path):
    sample = sorted(SOURCES.iterdir())[0]
    folder = tmp_path / "sources"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    shutil.copy(sample, folder / "a" / sample.name)
    edited = folder / "b" / sample.name
    edited.write_text(sample.read_text(encoding="utf-8") + "\nA cyber-attack in 2019 was reported.\n", encoding="utf-8")
    kg = open_kg(tmp_path / "store")
    alone = open_kg(tmp_path / "alone")
    try:
        report = kg.load([folder])
        assert [f.status for f in report.files] == ["loaded", "loaded"]
        alone.load([edited])
        assert content(kg) == content(alone)
    finally:
        kg.close()
        alone.close()


def test_partial_dates_order_by_their_first_day():
    assert PartialDate(2024) < PartialDate(2024, 1) < PartialDate(2024, 1, 5) < PartialDate(2024, 2)
    assert PartialDate(2023, 12, 31) < PartialDate(2024)
    assert max([PartialDate(2024, 3), PartialDate(2024), PartialDate(2024, 3, 1)]) == PartialDate(2024, 3, 1)
    assert sorted([PartialDate(2024, 5), PartialDate(2023)]) == [PartialDate(2023), PartialDate(2024, 5)]
