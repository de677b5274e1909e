"""A build does not read again a file whose size, modification time and inode are as when it was last read
(its SHA-256 is remembered beside the store), unless it was modified within a clock tick or two of that read."""

from __future__ import annotations

import os
import shutil
import time

from councilkg import ingest
from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings
from tests.conftest import SOURCES

SAMPLE = "havering-cpc-progress-review-2024-05.txt"


def statuses(kg: KnowledgeGraph, folder) -> dict[str, str]:
    return {os.path.basename(f.name): f.status for f in kg.load([folder]).files}


def same_size_edit(path) -> None:
    """Change a character of the file, keeping its size and modification time."""
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Havering", "Haverinx", 1), encoding="utf-8")
    assert path.stat().st_size == info.st_size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_file_as_it_was_read_is_not_read_again_and_a_touched_one_is(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    path = folder / SAMPLE
    shutil.copy(SOURCES / SAMPLE, path)
    old = time.time_ns() - 60 * 10**9
    os.utime(path, ns=(old, old))  # modified well before it is read: not racy
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False, jobs=1))
    try:
        assert statuses(kg, folder) == {SAMPLE: "loaded"}
        assert (tmp_path / "store" / "files-sources.marshal").is_file()
        assert statuses(kg, folder) == {SAMPLE: "unchanged"}
        # The same size and time: taken for the file that was read (as make and rsync do).
        same_size_edit(path)
        assert statuses(kg, folder) == {SAMPLE: "unchanged"}
        # A new modification time: read again, and the edit is seen.
        os.utime(path, None)
        assert statuses(kg, folder) == {SAMPLE: "loaded"}
        assert kg.run("councils").rows and any("Haverinx" in str(r) for r in kg.store.quads())
    finally:
        kg.close()
    # A new process reads the memory from the store's folder.
    again = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False, jobs=1))
    try:
        report = again.load([folder])
        assert [f.status for f in report.files] == ["unchanged"]
    finally:
        again.close()


def test_a_file_modified_as_it_was_read_is_read_again(tmp_path):
    """Racily clean: modified within RACY_NS of being read, the same size and time prove nothing."""
    folder = tmp_path / "sources"
    folder.mkdir()
    path = folder / SAMPLE
    shutil.copy(SOURCES / SAMPLE, path)  # modified now
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False, jobs=1))
    try:
        assert statuses(kg, folder) == {SAMPLE: "loaded"}
        same_size_edit(path)
        assert time.time_ns() - path.stat().st_mtime_ns < ingest.RACY_NS
        assert statuses(kg, folder) == {SAMPLE: "loaded"}
    finally:
        kg.close()


def test_unchanged_files_report_their_council(tmp_path):
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False))
    try:
        kg.load([SOURCES])
        report = kg.load([SOURCES])
        assert {f.status for f in report.files} == {"unchanged"}
        assert all(f.council for f in report.files), [(f.name, f.council) for f in report.files]
        assert {f.council for f in report.files} >= {"London Borough of Havering", "London Borough of Hackney"}
    finally:
        kg.close()
