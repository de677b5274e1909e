"""Interrupted and concurrent loads on one embedded store.

A ``load`` killed with SIGKILL at any moment leaves each document's graph as it was or as
it would have been, never a mix; two ``load`` processes on one store either run one after
the other or the second stops at once with "store is locked by PID <pid>".
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.errors import StoreError
from councilkg.iri import Minter
from councilkg.namespaces import ONTOLOGY_GRAPH
from councilkg.store import EmbeddedStore
from tests.conftest import ROOT, SOURCES

ITERATIONS = 20
#: Left out of comparisons: the load time differs on every load.
VOLATILE = "http://www.w3.org/ns/prov#generatedAtTime"
BIG = SOURCES / "hackney-cqc-assessment-2026-02.md"
SMALL = SOURCES / "havering-cpc-progress-review-2024-05.txt"


def councilkg(store: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCILKG_")}
    return subprocess.Popen(
        [sys.executable, "-m", "councilkg", *args, "--store", str(store)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run(store: Path, *args: str) -> subprocess.CompletedProcess:
    process = councilkg(store, *args)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def graph_of(path: Path) -> ox.NamedNode:
    return Minter().graph(path.stem)


def snapshot(store: Path, *graphs: ox.NamedNode) -> list[frozenset]:
    """The quads of each graph (load time left out), read by opening the store afresh."""
    opened = EmbeddedStore(store)
    try:
        return [frozenset((q.subject, q.predicate, q.object) for q in opened.quads(g) if q.predicate.value != VOLATILE)
                for g in graphs]
    finally:
        opened.close()


@pytest.fixture
def versions(tmp_path) -> tuple[Path, Path]:
    """Two versions of one document, under the same file name (so one graph)."""
    old, new = tmp_path / "old" / "assessment.md", tmp_path / "new" / "assessment.md"
    old.parent.mkdir()
    new.parent.mkdir()
    text = BIG.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    edited = text.replace("Score: 2", "Score: 3").replace("5 February 2026", "12 March 2026")
    new.write_text(edited.replace("£", "£1"), encoding="utf-8")
    return old, new


def test_sigkill_during_a_load_leaves_the_old_graph_or_the_new(tmp_path, versions):
    old, new = versions
    graph = graph_of(old)
    other = tmp_path / "other" / SMALL.name
    other.parent.mkdir()
    other.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    # the two versions as loaded without interruption
    references = {}
    for label, path in (("new", new), ("old", old)):
        reference = tmp_path / f"reference-{label}"
        assert run(reference, "load", str(path)).returncode == 0
        references[label] = snapshot(reference, graph)[0]
    assert references["old"] != references["new"]
    store = tmp_path / "store"
    started = time.monotonic()
    first = run(store, "load", str(old), str(other))
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    untouched = snapshot(store, graph_of(other), ox.NamedNode(ONTOLOGY_GRAPH))
    assert snapshot(store, graph)[0] == references["old"]
    rng = random.Random(20250605)
    outcomes = []
    current = "old"
    for _ in range(ITERATIONS):
        target = "new" if current == "old" else "old"
        process = councilkg(store, "load", "--force", str(new if target == "new" else old))
        time.sleep(rng.uniform(0.3, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        found = snapshot(store, graph)[0]
        state = next((label for label, quads in references.items() if quads == found), None)
        assert state is not None, (
            f"a mix after SIGKILL: {len(found - references['old'])} quads not in the old graph, "
            f"{len(found - references['new'])} not in the new one"
        )
        assert snapshot(store, graph_of(other), ox.NamedNode(ONTOLOGY_GRAPH)) == untouched
        outcomes.append((process.returncode, state == target))
        current = state
    killed = sum(1 for code, _ in outcomes if code == -signal.SIGKILL)
    replaced = sum(1 for _, done in outcomes if done)
    print(f"{ITERATIONS} SIGKILLs over a {duration:.2f} s load: {killed} killed mid-run, "
          f"{replaced} left the new graph, {ITERATIONS - replaced} the old one, none a mix")
    # and the store still takes a normal load afterwards
    assert run(store, "load", "--force", str(new)).returncode == 0
    assert snapshot(store, graph)[0] == references["new"]


def test_two_loads_on_one_store_serialise_or_the_second_fails_fast(tmp_path):
    docs = []
    for name, source in (("a", SMALL), ("b", SOURCES / "hackney-cpc-progress-review-2025-10.txt")):
        path = tmp_path / name / source.name
        path.parent.mkdir()
        path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        docs.append(path)
    references = []
    for i, doc in enumerate(docs):
        reference = tmp_path / f"reference-{i}"
        assert run(reference, "load", str(doc)).returncode == 0
        references.append(snapshot(reference, graph_of(doc))[0])
    store = tmp_path / "store"
    assert run(store, "load", str(docs[0])).returncode == 0  # the ontology is in place, as in daily use
    tally = {"both loaded": 0, "one locked out": 0}
    loaded = [True, False]
    for _ in range(ITERATIONS):
        processes = [councilkg(store, "load", "--force", str(doc)) for doc in docs]
        results = [p.communicate(timeout=300) for p in processes]
        codes = [p.returncode for p in processes]
        for i, (process, (out, err)) in enumerate(zip(processes, results)):
            if process.returncode == 0:
                assert "loaded" in out
                loaded[i] = True
                continue
            other = processes[1 - i]
            assert process.returncode == 1, err
            assert re.search(rf"store is locked by PID {other.pid}\b", err), err
            assert len(err.strip().splitlines()) == 1, err
        assert 0 in codes, "one of the two must have run"
        tally["both loaded" if codes == [0, 0] else "one locked out"] += 1
        found = snapshot(store, *(graph_of(doc) for doc in docs))
        # whoever ran left complete graphs, a document never loaded has none; nothing is corrupt
        assert found == [ref if done else frozenset() for ref, done in zip(references, loaded)]
    print(f"{ITERATIONS} pairs of concurrent loads: {tally}")


def test_a_waiting_opener_gets_the_store_when_the_holder_lets_go(tmp_path):
    store = tmp_path / "store"
    holder = EmbeddedStore(store)
    try:
        with pytest.raises(StoreError, match=rf"store is locked by PID {os.getpid()}\b"):
            EmbeddedStore(store)
    finally:
        holder.close()
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom councilkg.store import EmbeddedStore\n"
         "s = EmbeddedStore(sys.argv[1]); print('open', flush=True); time.sleep(1.0); s.close()", str(store)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert child.stdout.readline().strip() == "open"
        started = time.monotonic()
        waited = EmbeddedStore(store, lock_timeout=30)
        assert time.monotonic() - started > 0.2
        waited.close()
    finally:
        child.wait(timeout=30)
    assert (store / EmbeddedStore.LOCK_FILE).read_text().strip().isdigit()


def test_rocksdb_lock_held_elsewhere_gets_the_same_message(tmp_path):
    """A program that opens the store without councilkg's lock file (an oxigraph process) is named too."""
    store = tmp_path / "store"
    EmbeddedStore(store).close()
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, pyoxigraph\ns = pyoxigraph.Store(sys.argv[1])\n"
         "print('open', flush=True)\ntime.sleep(60)", str(store)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match=rf"store is locked by PID {child.pid}\b"):
            EmbeddedStore(store)
    finally:
        child.kill()
        child.wait(timeout=30)
    EmbeddedStore(store).close()  # free again once that process is gone
