"""``councilkg serve``: the pages, a read-only SPARQL 1.1 Protocol endpoint, and dereferenceable IRIs.

A starlette application, run by uvicorn:

* ``/sparql`` answers queries (GET ``?query=``, POST form or ``application/sparql-query``)
  as SPARQL results JSON, XML, CSV or TSV, and CONSTRUCT/DESCRIBE as Turtle, JSON-LD or
  N-Triples, chosen by ``Accept`` (or ``?format=``). Updates are refused with 403; a
  malformed query gets 400 with the parser's message; a query still running after the
  timeout gets 503. The query runs in a worker thread (pyoxigraph releases the GIL), and
  the answer is given up on at the timeout; the thread itself cannot be stopped and
  finishes in the background, so the pool is sized for a few such stragglers.
* ``/id/<path>`` (and the path part of the base IRI, ``/councilkg/id/<path>``) dereferences a
  resource: browsers get a 303 to its page, linked-data clients its description
  (the ``resource-description`` saved query) as Turtle, JSON-LD or N-Triples.
* everything else is the static site.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from councilkg import sparql
from councilkg.errors import CouncilKGError
from councilkg.rdf import PREFIXES
from councilkg.iri import Minter
from councilkg.pages import page_path

DEFAULT_TIMEOUT = 30.0
SELECT_TYPES = {
    "application/sparql-results+json": ("json", ox.QueryResultsFormat.JSON),
    "application/json": ("json", ox.QueryResultsFormat.JSON),
    "application/sparql-results+xml": ("xml", ox.QueryResultsFormat.XML),
    "application/xml": ("xml", ox.QueryResultsFormat.XML),
    "text/csv": ("csv", ox.QueryResultsFormat.CSV),
    "text/tab-separated-values": ("tsv", ox.QueryResultsFormat.TSV),
}
GRAPH_TYPES = {
    "text/turtle": ("turtle", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("ntriples", ox.RdfFormat.N_TRIPLES),
}
#: ``?format=`` names, for clients that cannot set Accept.
FORMAT_NAMES = {name: media for media, (name, _) in {**SELECT_TYPES, **GRAPH_TYPES}.items()
                if media not in ("application/json", "application/xml")}
#: ``/id/council/x.ttl`` asks for one format by its file ending.
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples", ".html": "text/html"}
# One media range of an Accept header: "type/subtype;q=0.8".
MEDIA_RANGE = re.compile(r"^\s*(?P<type>[\w.+*-]+/[\w.+*-]+)\s*(?P<params>(?:;[^,]*)?)$")
Q_PARAM = re.compile(r";\s*q\s*=\s*(?P<q>[0-9.]+)")


class Refused(Exception):
    """An answer other than 200: its status and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header likes best (q-values, then specificity, then ``offers`` order)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        m = MEDIA_RANGE.match(part)
        if not m:
            continue
        q = Q_PARAM.search(m["params"])
        try:
            weight = float(q["q"]) if q else 1.0
        except ValueError:
            weight = 0.0
        ranges.append((m["type"].lower(), weight))
    best, best_key = None, (0.0, -1, 0)
    for index, offer in enumerate(offers):
        kind = offer.split("/")[0]
        for media, weight in ranges:
            if media == offer:
                specificity = 2
            elif media == f"{kind}/*":
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            key = (weight, specificity, -index)
            if weight > 0 and key > best_key:
                best, best_key = offer, key
    return best


class Endpoint:
    """The application's state: the store, where the pages are, the timeout."""

    def __init__(self, store, site_dir: Path, minter: Minter | None = None, timeout: float = DEFAULT_TIMEOUT,
                 workers: int = 8):
        self.store = store
        self.site_dir = Path(site_dir)
        self.minter = minter or Minter()
        self.timeout = timeout
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")

    async def in_worker(self, function, *args):
        """Run ``function`` in a worker thread; 503 if it is not done within the timeout."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self.pool, function, *args), self.timeout)
        except asyncio.TimeoutError:
            raise Refused(503, f"query timed out: no answer within {self.timeout:g} seconds; "
                               "narrow the query (add a LIMIT or more specific patterns)") from None

    # -- /sparql --------------------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        try:
            query = await self._query_text(request)
            if query is None:
                return self._form(request)
            if sparql.UPDATE_KEYWORDS.match(sparql._strip_comments(query)):
                raise Refused(403, "this endpoint is read-only: SPARQL updates are refused")
            wanted = request.query_params.get("format")
            accept = FORMAT_NAMES.get(wanted, wanted) if wanted else request.headers.get("accept")
            body, media_type = await self.in_worker(self._answer, query, accept)
            return Response(body, media_type=media_type, headers={"Vary": "Accept"})
        except Refused as e:
            return PlainTextResponse(e.message + "\n", status_code=e.status)

    async def _query_text(self, request: Request) -> str | None:
        if request.method == "GET":
            if "update" in request.query_params:
                raise Refused(403, "this endpoint is read-only: SPARQL updates are refused")
            return request.query_params.get("query") or None
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only: SPARQL updates are refused")
        if content_type == "application/x-www-form-urlencoded":
            # parsed here: starlette's request.form() needs python-multipart, which plain forms do not
            try:
                form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True).items()}
            except UnicodeDecodeError as e:
                raise Refused(400, f"the form is not UTF-8 text: {e.reason}") from e
            if "update" in form:
                raise Refused(403, "this endpoint is read-only: SPARQL updates are refused")
            text = form.get("query")
            if not text:
                raise Refused(400, "no query: send query=... in the form")
            return str(text)
        if content_type == "application/sparql-query":
            try:
                return (await request.body()).decode("utf-8")
            except UnicodeDecodeError as e:
                raise Refused(400, f"the query is not UTF-8 text: {e.reason}") from e
        raise Refused(415, "send the query as application/sparql-query or as a form (query=...)")

    def _answer(self, query: str, accept: str | None) -> tuple[bytes, str]:
        """Evaluate and serialise in the worker thread, so the timeout covers both."""
        result = None
        try:
            result = self.store.query(query)
            if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):  # CONSTRUCT, DESCRIBE: triples
                triples = list(result)
                media = negotiate(accept, list(GRAPH_TYPES))
                if media is None:
                    raise Refused(406, "CONSTRUCT and DESCRIBE answer as " + ", ".join(GRAPH_TYPES))
                return ox.serialize(triples, format=GRAPH_TYPES[media][1]), media
            media = negotiate(accept, list(SELECT_TYPES))
            if media is None:
                raise Refused(406, "SELECT and ASK answer as " + ", ".join(SELECT_TYPES))
            return result.serialize(format=SELECT_TYPES[media][1]), media
        except CouncilKGError as e:  # the parser's message (or the remote server's)
            raise Refused(400, f"malformed query: {e}") from e
        except (OSError, ValueError, RuntimeError) as e:  # an evaluation error: still the client's query
            raise Refused(400, f"query failed: {e}") from e
        finally:
            del result  # pyoxigraph's results must be dropped on the thread that made them

    def _form(self, request: Request) -> Response:
        html = (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>SPARQL · councilkg</title></head>"
            "<body><h1>SPARQL endpoint (read-only)</h1><form method=\"post\" action=\"/sparql\">"
            "<p><label for=\"query\">Query</label></p>"
            "<textarea id=\"query\" name=\"query\" rows=\"12\" cols=\"90\">SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea>"
            "<p><button type=\"submit\">Run</button></p></form>"
            "<p><a href=\"/queries.html\">Saved queries</a></p></body></html>"
        )
        return HTMLResponse(html)

    # -- /id/... --------------------------------------------------------------------------------
    async def resource(self, request: Request) -> Response:
        rest = request.path_params["path"]
        accept = request.headers.get("accept")
        for suffix, media in SUFFIXES.items():
            if rest.endswith(suffix):
                rest, accept = rest[: -len(suffix)], media
                break
        iri = self.minter.base + rest
        media = negotiate(accept, [*GRAPH_TYPES, "text/html"])
        if media is None:
            return PlainTextResponse("resources are described as text/html, " + ", ".join(GRAPH_TYPES) + "\n", 406)
        if media == "text/html":
            path = page_path(iri, self.minter.base)
            if path and (self.site_dir / path.split("#", 1)[0]).is_file():
                return RedirectResponse("/" + path, status_code=303, headers={"Vary": "Accept"})
            return PlainTextResponse(f"no page for {iri}\n", status_code=404)
        try:
            triples = await self.in_worker(self._describe, iri)
        except Refused as e:
            return PlainTextResponse(e.message + "\n", status_code=e.status)
        if not triples:
            return PlainTextResponse(f"nothing is known about {iri}\n", status_code=404)
        body = ox.serialize(triples, format=GRAPH_TYPES[media][1], prefixes=PREFIXES)
        return Response(body, media_type=media, headers={"Vary": "Accept", "Content-Location": request.url.path})

    def _describe(self, iri: str) -> list[ox.Triple]:
        try:
            result = sparql.run(self.store, "resource-description", {"resource": iri}, self.minter)
        except CouncilKGError as e:
            raise Refused(400, str(e)) from e
        return [ox.Triple(r["subject"], r["property"], r["value"]) for r in result.rows]


def create_app(store, site_dir: Path | str, minter: Minter | None = None, timeout: float = DEFAULT_TIMEOUT) -> Starlette:
    """The ASGI application over ``store``, serving the pages already rendered in ``site_dir``."""
    endpoint = Endpoint(store, Path(site_dir), minter, timeout)
    routes = [Route("/sparql", endpoint.sparql, methods=["GET", "POST"])]
    prefixes = {"/id/", urlsplit(endpoint.minter.base).path}
    for prefix in sorted(prefixes):
        if prefix.startswith("/") and prefix.endswith("/") and prefix != "/":
            routes.append(Route(prefix + "{path:path}", endpoint.resource, methods=["GET", "HEAD"]))
    Path(site_dir).mkdir(parents=True, exist_ok=True)
    routes.append(Mount("/", app=StaticFiles(directory=str(site_dir), html=True), name="site"))
    app = Starlette(routes=routes)
    app.state.endpoint = endpoint
    return app


def serve(store, site_dir: Path, minter: Minter, host: str, port: int, timeout: float) -> None:
    """Run the application with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(store, site_dir, minter, timeout), host=host, port=port, log_level="info")
