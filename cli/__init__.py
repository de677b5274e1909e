"""The ``councilkg`` command line: thin commands over :class:`councilkg.graph.KnowledgeGraph`.

Exit status: 0 success; 1 some input was rejected or a check failed (the rest was
done); 2 usage error (bad option, unknown query name, malformed parameter).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from councilkg import __version__, sparql
from councilkg.errors import CouncilKGError, QueryError, QueryNotFound, QueryParameterError
from councilkg.graph import KnowledgeGraph
from councilkg.namespaces import DEFAULT_BASE_IRI
from councilkg.settings import DEFAULT_MAX_BYTES, DEFAULT_STORE, Settings
from councilkg.store import RDF_FORMATS

USAGE_ERRORS = (QueryNotFound, QueryParameterError, QueryError)


def store_options(command):
    """``--store`` and ``--base-iri``, shared by every command that reads or writes the graph."""

    @click.option(
        "--store", "store", envvar="COUNCILKG_STORE", default=DEFAULT_STORE, show_default=True, metavar="LOCATION",
        help="Embedded store directory, or http(s)://HOST:PORT of a SPARQL 1.1 server. Env: COUNCILKG_STORE.",
    )
    @click.option(
        "--base-iri", envvar="COUNCILKG_BASE_IRI", default=DEFAULT_BASE_IRI, show_default=True,
        help="Base of the IRIs minted for councils, documents and facts. Env: COUNCILKG_BASE_IRI.",
    )
    @functools.wraps(command)
    def wrapper(*args, store, base_iri, **kwargs):
        settings = Settings(store=store, base_iri=base_iri, progress=sys.stderr.isatty())
        return command(*args, settings=settings, **kwargs)

    return wrapper


def library_errors(command):
    """Turn library errors into click errors: usage problems exit 2, the rest exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except USAGE_ERRORS as e:
            raise click.UsageError(str(e)) from e
        except CouncilKGError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


def jobs_option(command=None, *, help: str = "Processes that read and extract documents in parallel"):
    """``-j/--jobs N`` (default: one per CPU core); ``help`` says what the processes do."""
    option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                          help=f"{help} (default: one per CPU core).")
    return option(command) if command is not None else option


def output_option(command):
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write to this file instead of standard output.",
    )(command)


def _write(data: bytes, output: Path | None) -> None:
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        if data and not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()


def _report_files(report) -> int:
    """One line per file (rejections on stderr); the exit status."""
    for f in report.files:
        if f.status == "rejected":
            click.echo(f"councilkg: rejected {f.name}: {f.reason}", err=True)
        else:
            what = f"{f.kind}, {f.council}" + (f", {f.facts} facts" if f.facts is not None else "")
            click.echo(f"{f.status:9} {f.name} ({what})")
    return 1 if report.rejected else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="councilkg")
def main():
    """A knowledge graph of English local-government oversight.

    Loads LGA peer-challenge progress reviews, CQC local authority assessments and
    committee minutes into RDF (one named graph per document, every fact with its
    quoted evidence), links councils and people across documents, and answers
    cross-document questions with saved SPARQL queries.

    \b
    Start with:
      councilkg build                 # data/sources/ -> store, data/ttl/
      councilkg queries               # what can be asked
      councilkg query peers --format json
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Reload documents even when their content is unchanged.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Reject files larger than this.")
@jobs_option
@store_options
@library_errors
def load(paths, force, max_bytes, jobs, settings):
    """Load documents (files, or folders recursively) into the store.

    Each document's kind and council are detected from its content; it goes into
    its own named graph, replacing its earlier version atomically. A file that is
    empty, binary, unreadable or of no supported kind is rejected with its name and
    the reason, and the store is left unchanged for it; the other files still load.

    \b
    Example:
      councilkg load data/sources/ new-review.txt
    """
    settings.max_bytes = max_bytes
    settings.jobs = jobs or settings.jobs
    kg = KnowledgeGraph(settings)
    try:
        report = kg.load(paths, force=force)
    finally:
        kg.close()
    sys.exit(_report_files(report))


@main.command()
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path), default=Path("data/sources"),
              show_default=True, help="Folder of source documents.")
@click.option("--ttl-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data/ttl"),
              show_default=True, help="Where to write one Turtle file per document.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Where to write the static pages.")
@click.option("--no-pages", is_flag=True, help="Do not write the pages.")
@jobs_option
@store_options
@library_errors
def build(sources, ttl_dir, site_dir, no_pages, jobs, settings):
    """Rebuild the graph from the sources folder and write data/ttl/ (the main job).

    Loads every document under --sources (unchanged ones are skipped), drops the
    graphs of documents no longer there, and writes one Turtle file per document
    plus the ontology, and the static pages under --site (unless --no-pages).

    \b
    Example:
      councilkg build && councilkg query councils
    """
    from councilkg import pages

    settings.sources, settings.ttl_dir, settings.site_dir = sources, ttl_dir, site_dir
    settings.jobs = jobs or settings.jobs
    kg = KnowledgeGraph(settings)
    try:
        report = kg.build()
        unchanged = not report.changed and (site_dir / "index.html").exists()
        written = None if no_pages or unchanged else pages.render(kg.store, site_dir, sources, kg.minter,
                                                                   jobs=settings.jobs)
    finally:
        kg.close()
    status = _report_files(report.load)
    for name in report.removed:
        click.echo(f"removed   {name} (no longer in {sources})")
    for warning in report.warnings:
        click.echo(f"councilkg: warning: {warning}", err=True)
    click.echo(f"store:    {settings.store} ({report.quads} quads)")
    click.echo(f"turtle:   {report.ttl_dir}/ ({len(report.turtle)} files)")
    if written is not None:
        click.echo(f"pages:    {site_dir}/ ({len(written)} pages)")
    elif not no_pages:
        click.echo(f"pages:    {site_dir}/ (unchanged)")
    if report.validation is None:
        click.echo("shapes:   no document changed ('councilkg validate' checks the whole graph)")
    elif not report.validation.conforms:
        click.echo(report.validation.text, err=True)
        status = 1
    else:
        click.echo("shapes:   the changed documents are valid (ontology/shapes.ttl)")
    sys.exit(status)


@main.command(name="queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@library_errors
def list_queries(fmt):
    """List the saved queries: name, title and parameters.

    \b
    Example:
      councilkg queries --format json
    """
    saved = sparql.saved_queries().values()
    if fmt == "json":
        out = [
            {"name": q.name, "title": q.title, "description": q.description,
             "parameters": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                             "help": p.help} for p in q.params]}
            for q in saved
        ]
        click.echo(json.dumps(out, indent=2))
        return
    for q in saved:
        params = " ".join(f"[{p.name}]" if not p.required else p.name for p in q.params)
        click.echo(f"{q.name:26} {q.title}" + (f"  (params: {params})" if params else ""))


@main.command()
@click.argument("name", required=False, metavar="NAME|FILE.rq")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a declared parameter (repeatable); bound as an RDF term, never pasted into the query.")
@click.option("--sparql", "sparql_text", metavar="TEXT", help="Run this ad-hoc (read-only) SPARQL query instead.")
@click.option("--allow-update", is_flag=True,
              help="Let --sparql TEXT be a SPARQL update (INSERT, DELETE, DROP...): apply it and print the quads changed.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml"]), default="table",
              show_default=True, help="json/csv/tsv/xml are the W3C SPARQL 1.1 results formats.")
@output_option
@store_options
@library_errors
def query(name, params, sparql_text, allow_update, fmt, output, settings):
    """Run a saved query (by name), a .rq file, or --sparql TEXT.

    \b
    Examples:
      councilkg query peers --format json
      councilkg query council-profile --param council="Camden Council"
      councilkg query my-question.rq --format csv -o answer.csv
      councilkg query --sparql 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'
      councilkg query --allow-update --sparql 'DROP GRAPH <https://example.org/g>'
    """
    if bool(name) == bool(sparql_text):
        raise click.UsageError("give a saved query NAME (or FILE.rq) or --sparql TEXT, not both")
    kg = KnowledgeGraph(settings)
    try:
        if allow_update and sparql_text is not None and _is_update(sparql_text):
            added, removed = kg.store.apply_update(sparql_text)
            click.echo(f"update applied: {added} quads added, {removed} removed")
            return
        solutions = kg.query(name, sparql.parse_param_args(params), sparql_text)
        _write(sparql.serialize(solutions, fmt), output)
    finally:
        kg.close()


def _is_update(text: str) -> bool:
    try:
        sparql.check_read_only(text)
    except QueryParameterError:
        return True
    return False


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(RDF_FORMATS)), default="turtle", show_default=True,
              help="trig, nquads and jsonld keep the per-document named graphs; the others merge them.")
@output_option
@store_options
@library_errors
def export(fmt, output, settings):
    """Export the whole graph (Turtle, TriG, N-Quads, N-Triples or JSON-LD).

    The export is written as it is made. With -o, it goes to a temporary file beside
    FILE that replaces FILE once complete: a failed export leaves no partial file.

    \b
    Example:
      councilkg export --format trig -o councilkg.trig
    """
    kg = KnowledgeGraph(settings)
    try:
        kg.export(fmt, output or sys.stdout.buffer)
        if not output:
            sys.stdout.buffer.flush()
    finally:
        kg.close()


@main.command()
@store_options
@library_errors
def validate(settings):
    """Validate the graph against the SHACL shapes in ontology/shapes.ttl.

    Prints one line per violation (the node, the property, the rule and the message)
    and exits 1 if there is any; exits 0 and says so when the graph conforms.

    \b
    Example:
      councilkg validate
    """
    kg = KnowledgeGraph(settings)
    try:
        report = kg.validate()
    finally:
        kg.close()
    if not report.conforms:
        click.echo(report.text, err=True)
        sys.exit(1)
    click.echo(f"valid: {report.triples} triples conform to ontology/shapes.ttl")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@library_errors
def inspect(path, fmt):
    """Show what one document yields, without writing to the store.

    Prints the detected kind (with every loader's detection score), the council,
    and every extracted fact with its evidence (the quoted text and its line).

    \b
    Example:
      councilkg inspect data/sources/my-progress-review.txt
    """
    result = KnowledgeGraph(Settings()).inspect(path)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"file:      {result['file']}")
    click.echo(f"kind:      {result['kind']} ({result['loader']})")
    click.echo("detection: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(result["detection"].items())))
    extraction = result["extraction"]
    for key, value in extraction.items():
        if key in ("kind", "loader", "loader_version"):
            continue
        if isinstance(value, list):
            click.echo(f"{key} ({len(value)}):")
            for item in value:
                click.echo("  - " + _summary(item))
        else:
            click.echo(f"{key}: {_summary(value)}")


def _flat(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def _summary(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    evidence = item.get("evidence")
    parts = [f"{k}={_flat(v)}" for k, v in item.items() if k not in ("evidence", "more_evidence", "peer_view")]
    text = "; ".join(parts)
    if isinstance(evidence, dict):
        text += f'\n      line {evidence.get("line")}: "{evidence.get("quote")}"'
    return text


@main.command()
@click.option("-o", "--output", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder to write the site to.")
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path), default=Path("data/sources"),
              show_default=True, help="Folder of source documents (for the highlighted source text).")
@jobs_option(help="Processes to render with: the document pages are rendered by a second process")
@store_options
@library_errors
def pages(site_dir, sources, jobs, settings):
    """Write the cross-council relationship site (static HTML, works from file://).

    A page per council (related councils with their reasons, reviews, peer teams,
    recommendations, CQC scores, metrics, risks, timeline), person, organisation,
    risk, intervention, theme and document (facts highlighted in the source text),
    a relationships graph, the query gallery and the ontology; all drawn from the
    saved queries.

    \b
    Example:
      councilkg pages -o site/ && xdg-open site/index.html
    """
    from councilkg import pages as site_pages

    kg = KnowledgeGraph(settings)
    try:
        written = site_pages.render(kg.store, site_dir, sources, kg.minter, jobs=jobs or settings.jobs)
    finally:
        kg.close()
    click.echo(f"pages:    {site_dir}/ ({len(written)} pages)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder of the pages (rendered there at start).")
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path), default=Path("data/sources"),
              show_default=True, help="Folder of source documents (for the highlighted source text).")
@click.option("--no-render", is_flag=True, help="Serve --site as it is, without rendering the pages first.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, envvar="COUNCILKG_QUERY_TIMEOUT",
              help="Seconds a SPARQL query may run before the endpoint answers 503. Env: COUNCILKG_QUERY_TIMEOUT.")
@store_options
@library_errors
def serve(host, port, site_dir, sources, no_render, timeout, settings):
    """Serve the pages, a read-only SPARQL endpoint at /sparql, and the resource IRIs.

    /sparql takes GET ?query= and POST (form or application/sparql-query) and answers
    JSON, XML, CSV or TSV (CONSTRUCT: Turtle, JSON-LD, N-Triples) by Accept; updates are
    refused (403). /id/<path> answers with the resource's page (browsers) or its
    description (Accept: text/turtle, application/ld+json, application/n-triples).

    \b
    Examples:
      councilkg serve --port 7878
      curl -H 'Accept: text/turtle' http://127.0.0.1:7878/id/council/london-borough-of-camden
      curl --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/sparql
    """
    from councilkg import pages as site_pages
    from councilkg import server

    kg = KnowledgeGraph(settings)
    try:
        if not no_render:
            written = site_pages.render(kg.store, site_dir, sources, kg.minter)
            click.echo(f"pages:    {site_dir}/ ({len(written)} pages)", err=True)
        click.echo(f"serving:  http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops", err=True)
        server.serve(kg.store, site_dir, kg.minter, host, port, timeout)
    finally:
        kg.close()
