"""``councilkg serve``: the SPARQL 1.1 Protocol endpoint, dereferenceable IRIs, the pages.

Most tests use starlette's TestClient; one starts the real command (uvicorn) on
127.0.0.1 and talks to it with urllib, as curl would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from councilkg import pages, server
from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parent.parent
HACKNEY_PATH = "/id/council/london-borough-of-hackney"
HACKNEY = "https://w3id.org/councilkg/id/council/london-borough-of-hackney"
COUNCILS = "PREFIX ckg: <https://w3id.org/councilkg/ontology#> SELECT ?c WHERE { ?c a ckg:Council } ORDER BY ?c"
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


@pytest.fixture(scope="module")
def app_kg(corpus_store, tmp_path_factory):
    site = tmp_path_factory.mktemp("served-site")
    kg = KnowledgeGraph(Settings(store=str(corpus_store), progress=False))
    pages.render(kg.store, site, ROOT / "data" / "sources", kg.minter)
    yield kg, site
    kg.close()


@pytest.fixture(scope="module")
def client(app_kg):
    kg, site = app_kg
    with TestClient(server.create_app(kg.store, site, kg.minter, timeout=20)) as c:
        yield c


def test_select_by_get_answers_json_by_default(client):
    r = client.get("/sparql", params={"query": COUNCILS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    bindings = r.json()["results"]["bindings"]
    assert {"type": "uri", "value": HACKNEY} in [b["c"] for b in bindings]


@pytest.mark.parametrize("accept, media, marker", [
    ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/csv", "text/csv", "c\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", "?c\n"),
])
def test_select_results_by_accept(client, accept, media, marker):
    r = client.post("/sparql", content=COUNCILS, headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert marker in r.text and HACKNEY in r.text


def test_post_form_and_format_parameter(client):
    r = client.post("/sparql?format=csv", data={"query": COUNCILS})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert HACKNEY in r.text


def test_ask(client):
    r = client.get("/sparql", params={"query": f"ASK {{ <{HACKNEY}> ?p ?o }}"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.mark.parametrize("accept, fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                         ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                         ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_construct_as_turtle_ntriples_or_jsonld(client, accept, fmt):
    query = f"CONSTRUCT {{ <{HACKNEY}> ?p ?o }} WHERE {{ <{HACKNEY}> ?p ?o }}"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    triples = _triples(r.content, fmt)
    assert ox.Triple(ox.NamedNode(HACKNEY), SKOS_PREF, ox.Literal("London Borough of Hackney")) in triples


def test_describe(client):
    r = client.get("/sparql", params={"query": f"DESCRIBE <{HACKNEY}>"}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert HACKNEY in {t.subject.value for t in _triples(r.content, ox.RdfFormat.TURTLE)}


def _triples(data: bytes, fmt) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(data, fmt)]


def _count(kg) -> int:
    return kg.store.quad_count()


@pytest.mark.parametrize("how", ["sparql-update body", "form update", "update as query", "GET update"])
def test_updates_are_refused_and_the_store_is_unchanged(client, app_kg, how):
    kg, _ = app_kg
    before = _count(kg)
    update = f'INSERT DATA {{ <{HACKNEY}> <http://example.org/p> "x" }}'
    if how == "sparql-update body":
        r = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
    elif how == "form update":
        r = client.post("/sparql", data={"update": "DROP ALL"})
    elif how == "update as query":
        r = client.post("/sparql", data={"query": "PREFIX ex: <http://example.org/>\n" + update})
    else:
        r = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert r.status_code == 403
    assert "read-only" in r.text
    assert _count(kg) == before


def test_malformed_query_is_400_with_the_parser_message(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert "malformed query" in r.text and "error at" in r.text


def test_unsupported_body_and_unacceptable_format(client):
    assert client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    r = client.get("/sparql", params={"query": COUNCILS}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_slow_query_times_out_with_503(app_kg):
    kg, site = app_kg
    # about 2·10^7 solutions: seconds of work, stopped waiting for after a quarter of a second
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?p ?b } LIMIT 2000 } "
            "{ SELECT ?c WHERE { ?c ?q ?d } LIMIT 2000 } { SELECT ?e WHERE { ?e ?r ?f } LIMIT 5 } }")
    with TestClient(server.create_app(kg.store, site, kg.minter, timeout=0.25)) as c:
        started = time.monotonic()
        r = c.get("/sparql", params={"query": slow})
        assert r.status_code == 503
        assert "timed out" in r.text and "0.25 seconds" in r.text
        assert time.monotonic() - started < 2
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_sparql_without_query_shows_a_form(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and "<form" in r.text


@pytest.mark.parametrize("accept, fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                         ("application/ld+json", ox.RdfFormat.JSON_LD),
                                         ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_iri_dereferences_to_a_description(client, accept, fmt):
    r = client.get(HACKNEY_PATH, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    triples = _triples(r.content, fmt)
    assert ox.Triple(ox.NamedNode(HACKNEY), SKOS_PREF, ox.Literal("London Borough of Hackney")) in triples
    # with its facts: a risk mention about the council
    facts = {t.subject.value for t in triples if t.object == ox.NamedNode(HACKNEY)}
    assert any("/risk/" in f for f in facts)


def test_iri_dereferences_to_the_page_for_browsers(client):
    r = client.get(HACKNEY_PATH, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/council/london-borough-of-hackney.html"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "London Borough of Havering" in page.text
    # the path part of the base IRI works too, and a file ending picks the format
    assert client.get("/councilkg/id/council/london-borough-of-hackney", headers={"Accept": "text/html"},
                      follow_redirects=False).status_code == 303
    assert client.get(HACKNEY_PATH + ".ttl").headers["content-type"].startswith("text/turtle")
    assert client.get("/id/council/no-such-council", headers={"Accept": "text/turtle"}).status_code == 404


def test_pages_are_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "Councils" in r.text
    assert client.get("/relationships.html").status_code == 200


def test_negotiate():
    offers = ["text/turtle", "text/html"]
    assert server.negotiate("*/*", offers) == "text/turtle"
    assert server.negotiate(None, offers) == "text/turtle"
    assert server.negotiate("text/html,*/*;q=0.8", offers) == "text/html"
    assert server.negotiate("text/*;q=0.5, text/html;q=0.4", offers) == "text/turtle"
    assert server.negotiate("application/json", offers) is None


# -- the real thing: `councilkg serve` under uvicorn on 127.0.0.1 ---------------------------------
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    store = tmp / "store"
    cli = [sys.executable, "-m", "councilkg"]
    subprocess.run([*cli, "load", str(ROOT / "data" / "sources"), "--store", str(store)], check=True,
                   capture_output=True, cwd=ROOT)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [*cli, "serve", "--store", str(store), "--site", str(tmp / "site"), "--port", str(port)]
    with running(argv, url + "/sparql?query=ASK%7B%7D", tmp / "serve.log", timeout=60, cwd=ROOT,
                 env={**os.environ, "PYTHONUNBUFFERED": "1"}):
        yield url


def _get(url: str, accept: str) -> tuple[int, str, bytes, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.status, response.headers["Content-Type"], response.read(), response.url


def test_live_server_like_curl(live_server):
    status, media, body, _ = _get(live_server + HACKNEY_PATH, "text/turtle")
    assert status == 200 and media.startswith("text/turtle")
    assert ox.Triple(ox.NamedNode(HACKNEY), SKOS_PREF, ox.Literal("London Borough of Hackney")) in _triples(
        body, ox.RdfFormat.TURTLE)
    status, media, body, final = _get(live_server + HACKNEY_PATH, "text/html")
    assert status == 200 and media.startswith("text/html") and final.endswith("/council/london-borough-of-hackney.html")
    assert b"Related councils" in body
    query = urllib.parse.urlencode({"query": COUNCILS})
    status, media, body, _ = _get(f"{live_server}/sparql?{query}", "application/sparql-results+json")
    assert HACKNEY in [b["c"]["value"] for b in json.loads(body)["results"]["bindings"]]
    update = urllib.request.Request(live_server + "/sparql", data=b"DROP ALL", method="POST",
                                    headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(update, timeout=20)
    assert refused.value.code == 403
    status, _, body, _ = _get(f"{live_server}/sparql?{query}", "text/csv")
    assert HACKNEY.encode() in body  # still there
