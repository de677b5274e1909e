"""Shared fixtures: real embedded stores (never mocks), the sample corpus, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time (a failure there is reproducible, not luck);
# a developer's run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
# The tests' own cache folder (the record of ontologies HermiT found consistent), not the user's.
os.environ["COUNCILKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="councilkg-test-cache-")
from click.testing import CliRunner

from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.ttl from the loaders")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def kg(store_path):
    """A knowledge graph over an empty embedded store in tmp_path."""
    graph = KnowledgeGraph(Settings(store=str(store_path), progress=False))
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    """An embedded store holding the five sample documents (built once per session)."""
    path = tmp_path_factory.mktemp("corpus") / "store"
    graph = KnowledgeGraph(Settings(store=str(path), progress=False))
    report = graph.load([SOURCES])
    graph.close()
    assert not report.rejected, [f.reason for f in report.rejected]
    return path


@pytest.fixture
def corpus_kg(corpus_store):
    graph = KnowledgeGraph(Settings(store=str(corpus_store), progress=False))
    yield graph
    graph.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sources_copy(tmp_path) -> Path:
    """A writable copy of data/sources."""
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    return target
