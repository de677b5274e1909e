"""The graphs derived from all documents (people, similar recommendations, inferences) kept up to date load by
load with ``changed=`` are the graphs a cold build of the same sources gives, whatever the order of the loads."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import derived, inference, linking, similarity
from councilkg.graph import KnowledgeGraph
from councilkg.namespaces import INFERRED_GRAPH, LINKS_GRAPH, SIMILARITY_GRAPH
from councilkg.settings import Settings

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"
DERIVED = [ox.NamedNode(g) for g in (LINKS_GRAPH, SIMILARITY_GRAPH, INFERRED_GRAPH)]


def derived_graphs(kg) -> dict[str, list[str]]:
    return {g.value: sorted(str(q) for q in kg.store.quads(g)) for g in DERIVED}


def relink(kg, changed) -> None:
    """What ``KnowledgeGraph.relink`` does, told which graphs changed."""
    linking.link_people(kg.store, kg.minter, changed=changed)
    similarity.link_similar(kg.store, kg.minter, changed=changed)
    inference.materialise(kg.store, check=False, changed=changed)


def load(kg, paths) -> list[str]:
    """Load without the facade's own relink; the graphs that changed."""
    report = kg.load(paths)
    return [f.graph for f in report.files if f.status == "loaded"]


def edited(path: Path, folder: Path) -> Path:
    """A copy of a sample whose first recommendation and a peer read differently."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("performance", "programme", 3).replace("Stuart Reid", "Stuart Reed")
    out = folder / path.name
    out.write_text(text, encoding="utf-8")
    return out


@pytest.mark.slow
def test_incremental_relink_equals_a_cold_build(tmp_path, monkeypatch):
    cold = KnowledgeGraph(Settings(store=str(tmp_path / "cold"), progress=False))
    cold.load([SOURCES])
    expected = derived_graphs(cold)
    assert all(expected.values())
    cold.close()

    monkeypatch.setattr(KnowledgeGraph, "relink", lambda self, changed=None: None)
    files = sorted(SOURCES.iterdir())
    edits = tmp_path / "edits"
    edits.mkdir()
    for seed in range(2):
        kg = KnowledgeGraph(Settings(store=str(tmp_path / f"steps-{seed}"), progress=False))
        order = random.Random(seed).sample(files, len(files))
        relink(kg, load(kg, order[:2]))
        for path in order[2:]:
            relink(kg, load(kg, [path]))
        assert derived_graphs(kg) == expected
        # One document edited (one that names a peer, so that the person links change), then restored;
        # another dropped, then restored; a new process in between.
        target = next(p for p in order if "Stuart Reid" in p.read_text(encoding="utf-8"))
        relink(kg, load(kg, [edited(target, edits)]))
        changed_state = derived_graphs(kg)
        assert changed_state != expected
        derived._memories.clear()
        relink(kg, load(kg, [target]))
        assert derived_graphs(kg) == expected
        other = next(p for p in order if p != target)
        gone = kg.minter.graph(other.stem)
        kg.store.drop_graph(gone)
        kg.forget_unused_entities()
        relink(kg, [gone.value])
        relink(kg, load(kg, [other]))
        assert derived_graphs(kg) == expected
        kg.close()
        shutil.rmtree(tmp_path / f"steps-{seed}")


def test_a_relink_that_changes_nothing_writes_nothing(kg, monkeypatch):
    kg.load([SOURCES])
    relink(kg, [])  # the memory is made
    writes = []
    for name in ("update", "replace_graph", "add_graphs"):
        method = getattr(type(kg.store), name)
        monkeypatch.setattr(type(kg.store), name,
                            lambda self, *args, _name=name, _method=method: writes.append(_name) or _method(self, *args))
    relink(kg, [])
    assert writes == []
    # One changed document: only differences are written, as SPARQL updates.
    source = kg.minter.graph("hackney-cpc-progress-review-2025-10")
    kg.store.update(f"DELETE WHERE {{ GRAPH {source} {{ ?s <https://w3id.org/councilkg/ontology#personName> ?n }} }}")
    relink(kg, [source.value])
    assert writes and set(writes) == {"update"}
