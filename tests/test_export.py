"""``councilkg export`` streams: every format round-trips, stdout and ``-o`` agree byte for byte,
two exports are identical, and a failed export leaves no file behind.

All against the real embedded store of the sample corpus (``export_store``), and for the
remote store a real ``oxigraph serve`` loaded with the same quads.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from councilkg.cli import main
from councilkg.errors import StoreError
from councilkg.store import RDF_FORMATS, EmbeddedStore, RemoteStore
from tests.servers import free_port, running
from tests.test_remote import oxigraph_command

FORMATS = list(RDF_FORMATS)
DATASET_FORMATS = [f for f in FORMATS if RDF_FORMATS[f][0].supports_datasets]
TRIPLE_FORMATS = [f for f in FORMATS if f not in DATASET_FORMATS]
RDFLIB_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}


def export(runner, store: Path, fmt: str, *extra: str):
    result = runner.invoke(main, ["export", "--store", str(store), "--format", fmt, *extra])
    assert result.exit_code == 0, result.output
    return result


def stored_quads(store: Path) -> set[ox.Quad]:
    """The store's own quads, read with the store closed again afterwards (it is locked while open)."""
    opened = EmbeddedStore(store)
    try:
        return set(opened.quads())
    finally:
        opened.close()


def parsed(path: Path, fmt: str) -> list[ox.Quad]:
    with open(path, "rb") as f:
        return list(ox.parse(f, format=RDF_FORMATS[fmt][0]))


@pytest.fixture(scope="module")
def export_store(corpus_store, tmp_path_factory) -> Path:
    """A copy of the corpus store where one document's triples are also in a second graph.

    (A build's derived graphs repeat triples of the document graphs; here the union must
    hold them once.)
    """
    path = tmp_path_factory.mktemp("export") / "store"
    shutil.copytree(corpus_store, path)
    store = EmbeddedStore(path)
    try:
        document = ox.NamedNode("https://w3id.org/councilkg/id/graph/havering-cpc-progress-review-2024-05")
        copy = ox.NamedNode("https://example.org/graph/copy")
        store.replace_graph(copy, [ox.Quad(q.subject, q.predicate, q.object, copy) for q in store.quads(document)])
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def corpus_quads(export_store) -> set[ox.Quad]:
    quads = stored_quads(export_store)
    assert len(quads) > 5_000
    assert any(isinstance(q.subject, ox.BlankNode) for q in quads)  # the union must not lose them
    return quads


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
def test_dataset_formats_round_trip_with_their_named_graphs(runner, export_store, corpus_quads, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    export(runner, export_store, fmt, "-o", str(out))
    quads = parsed(out, fmt)
    assert len(quads) == len(corpus_quads)
    assert set(quads) == corpus_quads
    # rdflib reads it too, with every named graph
    dataset = rdflib.Dataset()
    dataset.parse(out, format=RDFLIB_FORMATS[fmt])
    assert sum(1 for _ in dataset.quads()) == len(corpus_quads)


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_hold_each_triple_of_the_union_once_sorted(runner, export_store, corpus_quads, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    export(runner, export_store, fmt, "-o", str(out))
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in corpus_quads}
    assert len(union) < len(corpus_quads)  # some triples are in several graphs: the test can see duplicates
    triples = [q.triple for q in parsed(out, fmt)]
    assert all(q.graph_name == ox.DefaultGraph() for q in parsed(out, fmt))
    assert triples == sorted(union, key=str)  # each once, in the order of their text
    graph = rdflib.Graph().parse(out, format=RDFLIB_FORMATS[fmt])
    assert len(graph) == len(union)


@pytest.mark.parametrize("fmt", FORMATS)
def test_stdout_and_file_are_the_same_bytes_and_two_exports_are_identical(runner, export_store, tmp_path, fmt):
    first, second = tmp_path / "first", tmp_path / "second"
    export(runner, export_store, fmt, "-o", str(first))
    export(runner, export_store, fmt, "-o", str(second))
    stdout = export(runner, export_store, fmt).stdout_bytes
    assert first.read_bytes() == second.read_bytes()
    assert stdout == first.read_bytes()
    assert len(stdout) > 100_000


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_bytes_equal_the_streamed_export(export_store, tmp_path, fmt):
    """``export()`` (bytes, used by validation and the benchmarks) and ``export_to()`` agree."""
    store = EmbeddedStore(export_store)
    try:
        store.export_to(tmp_path / "out", fmt)
        assert store.export(fmt) == (tmp_path / "out").read_bytes()
        graph = ox.NamedNode("https://w3id.org/councilkg/graph/ontology")
        one = store.export(fmt, graph=graph)
        expected = {q.triple for q in store.quads(graph)}
    finally:
        store.close()
    assert {q.triple for q in ox.parse(one, format=RDF_FORMATS[fmt][0])} == expected


def test_output_file_gets_the_usual_mode_and_replaces_an_old_file(runner, export_store, tmp_path):
    out = tmp_path / "graph.nq"
    out.write_bytes(b"old")
    out.chmod(0o640)
    export(runner, export_store, "nquads", "-o", str(out))
    assert out.read_bytes() != b"old" and (out.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "fresh.nq"
    export(runner, export_store, "nquads", "-o", str(fresh))
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.nq", "graph.nq"]  # no temporary file left


def test_unwritable_output_is_one_line_and_leaves_nothing(runner, export_store, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    result = runner.invoke(main, ["export", "--store", str(export_store), "-o", str(blocker / "out.ttl")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write {blocker / 'out.ttl'}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.mark.parametrize("fmt", ["nquads", "turtle"])
def test_export_failing_half_way_leaves_no_partial_file(export_store, tmp_path, fmt):
    """A file-size limit makes the write fail after the first 100 kB (a real error, no mock)."""
    store = tmp_path / "store"
    shutil.copytree(export_store, store)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "graph.out"
    out.write_bytes(b"the previous export")
    limit = 100_000

    def limit_file_size():  # Python ignores SIGXFSZ, so the write fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "councilkg", "export", "--store", str(store), "--format", fmt, "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, preexec_fn=limit_file_size, timeout=300)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == f"Error: cannot write {out}: File too large"
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in out_dir.iterdir()] == ["graph.out"]
    # and without the limit the same export succeeds (the limit is what failed it)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > limit


@pytest.fixture(scope="module")
def loaded_server(export_store, tmp_path_factory):
    """``oxigraph serve`` holding the corpus store's quads (posted as N-Quads)."""
    tmp = tmp_path_factory.mktemp("export-server")
    opened = EmbeddedStore(export_store)
    try:
        nquads = opened.export("nquads")
    finally:
        opened.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [oxigraph_command(), "serve", "--location", str(tmp / "data"), "--bind", f"127.0.0.1:{port}",
            "--union-default-graph"]
    with running(argv, url + "/query?query=ASK%7B%7D", tmp / "server.log"):
        request = urllib.request.Request(url + "/store", data=nquads, method="POST",
                                         headers={"Content-Type": "application/n-quads"})
        urllib.request.urlopen(request, timeout=60).read()
        yield url


@pytest.mark.parametrize("fmt", FORMATS)
def test_remote_store_exports_the_same_graph(runner, loaded_server, export_store, tmp_path, fmt):
    local, remote = tmp_path / "local", tmp_path / "remote"
    export(runner, export_store, fmt, "-o", str(local))
    export(runner, loaded_server, fmt, "-o", str(remote))
    again = export(runner, loaded_server, fmt).stdout_bytes
    assert again == remote.read_bytes()
    rdflib_format = RDFLIB_FORMATS[fmt]
    if fmt in DATASET_FORMATS:
        ours, theirs = rdflib.Dataset(), rdflib.Dataset()
        ours.parse(local, format=rdflib_format)
        theirs.parse(remote, format=rdflib_format)
        names = {g.identifier for g in ours.graphs() if len(g)}
        assert names == {g.identifier for g in theirs.graphs() if len(g)}
        for name in names:  # blank nodes get the server's labels: compare graph by graph, up to them
            assert isomorphic(ours.graph(name), theirs.graph(name)), name
    else:
        ours = rdflib.Graph().parse(local, format=rdflib_format)
        theirs = rdflib.Graph().parse(remote, format=rdflib_format)
        assert len(ours) == len(theirs) and isomorphic(ours, theirs)


def test_remote_export_to_an_unwritable_path_is_a_store_error(loaded_server, tmp_path):
    with pytest.raises(StoreError, match="cannot write"):
        RemoteStore(loaded_server).export_to(tmp_path / "missing" / "out.nt", "ntriples")
    assert list(tmp_path.iterdir()) == []
