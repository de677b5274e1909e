"""A parallel build writes the same data/ttl, byte for byte, as a serial one; unchanged input is not re-read."""

from __future__ import annotations

import shutil

from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings
from tests.conftest import SOURCES


def corpus(tmp_path):
    """The five samples, twice over under other names: enough files for a process pool."""
    folder = tmp_path / "sources"
    folder.mkdir()
    for copy in ("a", "b"):
        for path in SOURCES.iterdir():
            shutil.copy(path, folder / f"{copy}-{path.name}")
    return folder


def build(tmp_path, sources, name, jobs):
    settings = Settings(store=str(tmp_path / name / "store"), sources=sources, ttl_dir=tmp_path / name / "ttl",
                        progress=False, jobs=jobs)
    kg = KnowledgeGraph(settings)
    try:
        report = kg.build()
    finally:
        kg.close()
    return report, {p.name: p.read_bytes() for p in settings.ttl_dir.glob("*.ttl")}


def test_parallel_build_writes_byte_identical_turtle(tmp_path):
    sources = corpus(tmp_path)
    serial_report, serial = build(tmp_path, sources, "serial", jobs=1)
    parallel_report, parallel = build(tmp_path, sources, "parallel", jobs=2)
    assert len(serial) == 12
    assert serial == parallel
    assert [f.status for f in serial_report.load.files] == ["loaded"] * 10
    assert [f.name for f in serial_report.load.files] == [f.name for f in parallel_report.load.files]


def test_unchanged_documents_are_not_extracted_again(tmp_path, monkeypatch):
    sources = corpus(tmp_path)
    build(tmp_path, sources, "s", jobs=1)
    from councilkg import ingest

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged document was extracted again")

    monkeypatch.setattr(ingest, "extract", fail)
    report, _ = build(tmp_path, sources, "s", jobs=1)
    assert {f.status for f in report.load.files} == {"unchanged"}
    edited = sources / "a-havering-cpc-progress-review-2024-05.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("23rd May 2024", "24th May 2024"), encoding="utf-8")
    monkeypatch.undo()
    report, _ = build(tmp_path, sources, "s", jobs=1)
    assert [f.name for f in report.load.files if f.status == "loaded"] == [str(edited)]
