"""``--store http://...``: a real Oxigraph server (``oxigraph serve``) gives the embedded store's results.

The fixture starts the server on 127.0.0.1 with a temporary directory and a free port,
and stops it afterwards. The ``oxigraph`` command comes with the test extra
(``pip install -e '.[test]'``); without it the tests fail, they are not skipped.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import sparql
from councilkg.cli import main
from councilkg.errors import StoreError
from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings
from councilkg.store import RemoteStore, with_values
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
FIVE = ["documents", "councils", "peers", "recommendations", "risks"]


def oxigraph_command() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail("the oxigraph server command is missing: install the test extra with "
                    "`pip install -e '.[test]'` (it provides `oxigraph serve`)")
    return found


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """``oxigraph serve`` on 127.0.0.1:<free port> over a temporary directory, union default graph."""
    command = oxigraph_command()
    tmp = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [command, "serve", "--location", str(tmp / "data"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with running(argv, url + "/query?query=ASK%7B%7D", tmp / "server.log"):
        yield url


@pytest.fixture(scope="module")
def remote_built(oxigraph_server, tmp_path_factory):
    """The Oxigraph server loaded by ``councilkg build --store http://...``."""
    from click.testing import CliRunner

    tmp = tmp_path_factory.mktemp("remote-build")
    result = CliRunner().invoke(main, ["build", "--store", oxigraph_server, "--sources", str(SOURCES),
                                       "--ttl-dir", str(tmp / "ttl"), "--site", str(tmp / "site")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert f"store:    {oxigraph_server}" in result.output, result.output
    assert "pages:" in result.output
    return oxigraph_server, tmp


@pytest.mark.parametrize("name", FIVE)
def test_saved_queries_give_the_embedded_stores_results(remote_built, corpus_kg, name):
    url, _ = remote_built
    remote = KnowledgeGraph(Settings(store=url, progress=False))
    embedded, served = corpus_kg.run(name), remote.run(name)
    assert served.variables == embedded.variables
    assert served.rows, f"{name}: no rows from the server"
    key = lambda row: tuple(str(row[v]) for v in embedded.variables)  # noqa: E731
    assert sorted(served.rows, key=key) == sorted(embedded.rows, key=key)  # terms, datatypes included


def test_parameters_bind_on_the_server(remote_built, corpus_kg):
    url, _ = remote_built
    remote = KnowledgeGraph(Settings(store=url, progress=False))
    for name in ("peers", "interventions"):
        embedded = corpus_kg.run(name, {"council": "Havering"}).values()
        served = remote.run(name, {"council": "Havering"}).values()
        assert served and sorted(map(str, served)) == sorted(map(str, embedded))


def test_build_writes_one_named_graph_per_document(remote_built):
    url, tmp = remote_built
    graphs = RemoteStore(url).named_graphs()
    for source in SOURCES.iterdir():
        assert f"https://w3id.org/councilkg/id/graph/{source.stem}" in graphs
    assert "https://w3id.org/councilkg/graph/ontology" in graphs
    assert (tmp / "site" / "council" / "london-borough-of-hackney.html").is_file()


def test_graph_store_protocol_replaces_and_drops_graphs(oxigraph_server):
    store = RemoteStore(oxigraph_server)
    graph = ox.NamedNode("https://example.org/graph/test")
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    store.replace_graph(graph, [ox.Quad(s, p, ox.Literal("one"), graph), ox.Quad(s, p, ox.Literal("two"), graph)])
    store.replace_graph(graph, [ox.Quad(s, p, ox.Literal("three"), graph)])
    rows = store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {ox.Variable("g"): graph})
    assert [r["o"].value for r in rows] == ["three"]
    store.drop_graph(graph)
    store.drop_graph(graph)  # dropping a missing graph is fine
    assert graph.value not in store.named_graphs()
    exported = store.export("nquads")
    assert b"https://example.org/graph/test" not in exported


def test_malformed_query_on_the_server_is_a_query_error(oxigraph_server):
    from councilkg.errors import QueryError

    with pytest.raises(QueryError):
        RemoteStore(oxigraph_server).query("SELECT ?x WHERE { ?x }")


def test_unreachable_server_names_the_store():
    port = free_port()
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        RemoteStore(f"http://127.0.0.1:{port}").query("ASK {}")


def test_endpoint_layouts_from_the_store_url():
    oxigraph = RemoteStore("http://h:7878")
    assert (oxigraph.endpoint("query"), oxigraph.endpoint("update")) == ("http://h:7878/query", "http://h:7878/update")
    assert oxigraph.endpoint("gsp", ox.NamedNode("https://x/g")) == "http://h:7878/store?graph=https%3A%2F%2Fx%2Fg"
    fuseki = RemoteStore("http://h:3030/councilkg#fuseki")
    assert (fuseki.endpoint("query"), fuseki.endpoint("update"), fuseki.endpoint("gsp")) == (
        "http://h:3030/councilkg/query", "http://h:3030/councilkg/update", "http://h:3030/councilkg/data")
    graphdb = RemoteStore("http://h:7200/repositories/ckg#graphdb")
    assert (graphdb.endpoint("query"), graphdb.endpoint("update"), graphdb.endpoint("gsp")) == (
        "http://h:7200/repositories/ckg", "http://h:7200/repositories/ckg/statements",
        "http://h:7200/repositories/ckg/rdf-graphs/service")
    custom = RemoteStore("http://h/ds#fuseki&query=/sparql")
    assert custom.endpoint("query") == "http://h/ds/sparql" and custom.endpoint("gsp") == "http://h/ds/data"
    with pytest.raises(StoreError, match="unknown fragment"):
        RemoteStore("http://h#nonsense")


def test_with_values_ignores_where_in_comments_and_strings():
    query = sparql.saved_queries()["interventions"].text  # its description says "where stated"
    bound = with_values(query, {ox.Variable("councilIri"): ox.NamedNode("https://x/c")})
    assert bound.index("VALUES (?councilIri)") > bound.index("\nWHERE {")
    ox.Store().query(bound)
    tricky = with_values('# where {\nSELECT ?s { ?s ?p "where {" }', {ox.Variable("s"): ox.Literal("a")})
    assert tricky.startswith('# where {\nSELECT ?s {\n  VALUES (?s) { ("a") }')
