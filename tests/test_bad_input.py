"""Bad input through ``councilkg load``: one stderr line naming the file and the reason, exit 1,
the store exactly as it was for that file, and the other files of the same command still load."""

from __future__ import annotations

import io
import json
import os
import pwd
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from councilkg.cli import main
from councilkg.namespaces import ENTITIES_GRAPH, INFERRED_GRAPH, LINKS_GRAPH, SIMILARITY_GRAPH
from tests.conftest import SOURCES
from tests.renderings import to_docx, to_pdf

GOOD = SOURCES / "havering-cpc-progress-review-2024-05.txt"
GOOD_TEXT = GOOD.read_text(encoding="utf-8")


def invoke(runner, store, *args):
    return runner.invoke(main, [*args, "--store", str(store)], catch_exceptions=False)


#: Graphs shared by all documents (links, inferences, similarity, entity descriptions): they grow or are recomputed when any document loads.
DERIVED = {str(INFERRED_GRAPH), str(LINKS_GRAPH), str(SIMILARITY_GRAPH), str(ENTITIES_GRAPH)}


def graph_counts(runner, store) -> dict[str, int]:
    """Quads per named graph (the ontology graph included, the derived graphs left out)."""
    result = invoke(runner, store, "query", "--format", "json", "--sparql",
                    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows if r["g"]["value"] not in DERIVED}


def one_page_pdf(text: str, encrypt=None) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt=encrypt)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return out.getvalue()


def image_only_pdf() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.rect(72, 72, 300, 400, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


# name, bytes (or a function of tmp_path that makes the path), the reason on stderr
BAD_FILES = [
    ("empty.txt", b"", "file is empty"),
    ("blank.md", b" \r\n\t\n", "file is empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (a PNG image), not a document"),
    ("dump.bin", bytes(range(256)) * 8, "binary file (contains NUL bytes), not a text document"),
    ("noise.txt", bytes(1 + (i * 37 + 11) % 31 for i in range(4000)), "binary file (control characters), not a text document"),
    ("truncated.pdf", to_pdf(GOOD_TEXT)[:6000], "truncated PDF (no end-of-file marker): download it again"),
    ("locked.pdf", one_page_pdf("Progress Review", pdfencrypt.StandardEncryption("secret", "owner")),
     "encrypted PDF (needs a password): save an unprotected copy and load that"),
    ("scan.pdf", image_only_pdf(), "PDF has no document text (a scanned image? run OCR on it first)"),
    ("damaged.pdf", b"%PDF-1.7\n" + bytes(range(40, 120)) * 20 + b"\n%%EOF\n", "damaged PDF"),
    ("shell.html", b"<!DOCTYPE html><html><head><title>Report</title><style>p{}</style><script>load()</script>"
                   b"</head><body><nav><a href='/'>Home</a></nav><footer>Cookies</footer></body></html>",
     "web page has no document text (only scripts, styles or navigation)"),
    ("cut.docx", to_docx(GOOD_TEXT)[:5000], "damaged or truncated ZIP/Word file"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a legacy Microsoft Office file (.doc, .xls)"),
    ("mixed.txt", GOOD_TEXT.replace("£54m", "\x00").encode("utf-8").replace(b"\x00", b"\xa354m"),
     "mixed text encodings: UTF-8"),
    ("undecodable.txt", GOOD_TEXT.encode("cp1252").replace(b"\x96", b"\x81"), "not UTF-8 or Windows-1252 text"),
    ("recipe.txt", b"Lemon drizzle cake\n\nMix 200g flour with sugar and bake for 40 minutes.\n",
     "not a recognised document kind"),
    ("recipe.pdf", one_page_pdf("Lemon drizzle cake: mix 200g flour with sugar."), "not a recognised document kind"),
]


@pytest.fixture
def loaded(runner, store_path):
    result = invoke(runner, store_path, "load", str(GOOD))
    assert result.exit_code == 0, result.output
    return store_path


def other_document(tmp_path: Path, tag: str) -> Path:
    """A good document the same command also loads (a sample, edited to another council)."""
    path = tmp_path / f"other-{tag}.txt"
    path.write_text(GOOD_TEXT.replace("Havering", "Barking and Dagenham"), encoding="utf-8")
    return path


def check_rejected(runner, store, bad: Path, other: Path, reason: str, *extra_args: str) -> None:
    """``load bad other``: one line for bad, exit 1, only other's graph added, nothing else touched."""
    before = graph_counts(runner, store)
    result = invoke(runner, store, "load", *extra_args, str(bad), str(other))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"councilkg: rejected {bad}: {reason}"), lines[0]
    assert f"loaded    {other}" in result.stdout
    after = graph_counts(runner, store)
    added = set(after) - set(before)
    assert len(added) == 1 and other.stem in added.pop()
    assert {g: n for g, n in after.items() if g in before} == before
    # and on its own, the bad file changes nothing at all
    alone = invoke(runner, store, "load", *extra_args, str(bad))
    assert alone.exit_code == 1
    assert graph_counts(runner, store) == after


@pytest.mark.parametrize("name, content, reason", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_rejected_and_loses_nothing(runner, loaded, tmp_path, name, content, reason):
    bad = tmp_path / name
    bad.write_bytes(content)
    check_rejected(runner, loaded, bad, other_document(tmp_path, "a"), reason)


def test_file_over_the_size_limit(runner, loaded, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(GOOD_TEXT.replace("Havering", "Bexley"), encoding="utf-8")
    size = big.stat().st_size
    other = tmp_path / "small.txt"
    other.write_text(GOOD_TEXT[:9000].replace("Havering", "Barnet"), encoding="utf-8")
    limit = str(size - 1)
    assert other.stat().st_size < size - 1
    check_rejected(runner, loaded, big, other, f"file is {size} bytes, over the limit of {size - 1} (raise --max-bytes)",
                   "--max-bytes", limit)


def test_default_size_limit_is_50_mb(runner):
    result = runner.invoke(main, ["load", "--help"])
    assert "52428800" in result.stdout


def test_missing_path(runner, loaded, tmp_path):
    check_rejected(runner, loaded, tmp_path / "nope.pdf", other_document(tmp_path, "b"), "no such file or folder")


def test_broken_symbolic_link(runner, loaded, tmp_path):
    link = tmp_path / "report.txt"
    link.symlink_to(tmp_path / "moved-away.txt")
    check_rejected(runner, loaded, link, other_document(tmp_path, "c"), "no such file or folder")


def test_broken_link_and_pipe_inside_a_folder_are_reported(runner, loaded, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    shutil.copy(other_document(tmp_path, "d"), folder / "other.txt")
    before = graph_counts(runner, loaded)
    result = invoke(runner, loaded, "load", str(folder))
    assert result.exit_code == 1
    lines = sorted(line for line in result.stderr.splitlines() if line.strip())
    assert lines == [
        f"councilkg: rejected {folder / 'gone.txt'}: broken symbolic link",
        f"councilkg: rejected {folder / 'pipe.txt'}: not a regular file (a pipe, socket or device)",
    ]
    assert len(graph_counts(runner, loaded)) == len(before) + 1


def test_named_pipe_is_rejected_not_waited_on(runner, loaded, tmp_path):
    pipe = tmp_path / "feed.txt"
    os.mkfifo(pipe)
    check_rejected(runner, loaded, pipe, other_document(tmp_path, "e"), "not a regular file (a pipe, socket or device)")


@contextmanager
def unprivileged():
    """Run as ``nobody`` when the tests run as root, for whom permission bits mean nothing."""
    if os.geteuid() != 0:
        yield
        return
    nobody = pwd.getpwnam("nobody")
    os.setegid(nobody.pw_gid)
    os.seteuid(nobody.pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_unreadable_file(runner):
    """chmod 000: as root, the load runs with the effective user id of ``nobody`` (root reads anything)."""
    work = Path(tempfile.mkdtemp(prefix="councilkg-unreadable-"))
    try:
        store = work / "store"
        bad = work / "secret.txt"
        bad.write_text(GOOD_TEXT, encoding="utf-8")
        bad.chmod(0o000)
        other = other_document(work, "f")
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for path in (work, other):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        with unprivileged():
            first = invoke(runner, store, "load", str(GOOD))
            assert first.exit_code == 0, first.output
            check_rejected(runner, store, bad, other, "cannot be read: permission denied")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_inspect_reports_the_same_reasons(runner, tmp_path):
    bad = tmp_path / "locked.pdf"
    bad.write_bytes(one_page_pdf("x", pdfencrypt.StandardEncryption("secret", "owner")))
    result = runner.invoke(main, ["inspect", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: locked.pdf: encrypted PDF (needs a password): save an unprotected copy and load that"


# --- hostile input: parameters, ad-hoc updates, document text ---------------------------
def quad_total(runner, store) -> int:
    result = invoke(runner, store, "query", "--format", "json", "--sparql",
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def echo_query(tmp_path) -> Path:
    path = tmp_path / "echo.rq"
    path.write_text(
        "# title: Echo\n"
        "# param: text string optional -- anything\n"
        "# param: thing iri optional -- an IRI\n"
        "# param: year integer optional -- a number\n"
        "# param: day date optional -- a date\n"
        "SELECT ?text ?thing ?year ?day ?n WHERE { OPTIONAL { BIND(STRLEN(?text) AS ?n) } }\n",
        encoding="utf-8",
    )
    return path


HOSTILE_STRINGS = [
    'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } #',
    "'''\n} } }\nDROP ALL\n{{ ?s ?p ?o }}",
    '"""\\"\\\\u0022 > < & \u0000? no: \u2028\u0001',
    "<http://evil/> } UNION { ?s ?p ?o }",
]


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_string_parameters_are_bound_not_pasted(runner, loaded, echo_query, hostile):
    before = quad_total(runner, loaded)
    result = invoke(runner, loaded, "query", str(echo_query), "--param", f"text={hostile}", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert len(rows) == 1
    assert rows[0]["text"]["value"] == hostile
    assert quad_total(runner, loaded) == before


@pytest.mark.parametrize("value", [
    "http://example.org/a>b", "http://example.org/a> } ; DROP ALL ; #", "http://example.org/{x}",
    'http://example.org/"q"', "http://example.org/a\nDROP ALL", "http://example.org/a b", "not an iri",
])
def test_malformed_iri_parameter_is_a_usage_error(runner, loaded, echo_query, value):
    before = quad_total(runner, loaded)
    result = invoke(runner, loaded, "query", str(echo_query), "--param", f"thing={value}")
    assert result.exit_code == 2, result.output
    assert "parameter thing wants an IRI" in result.stderr
    assert quad_total(runner, loaded) == before


@pytest.mark.parametrize("param", ["year=2024 } ; DROP ALL ; {", 'day=2024-01-01"^^<x> } DROP ALL #', "year=1e3"])
def test_typed_parameters_reject_anything_but_their_type(runner, loaded, echo_query, param):
    before = quad_total(runner, loaded)
    result = invoke(runner, loaded, "query", str(echo_query), "--param", param)
    assert result.exit_code == 2
    assert "wants a" in result.stderr
    assert quad_total(runner, loaded) == before


def test_good_iri_parameter_is_bound(runner, loaded, echo_query):
    result = invoke(runner, loaded, "query", str(echo_query), "--param", "thing=https://example.org/x?a=1&b=%7B",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"][0]["thing"]["value"] == "https://example.org/x?a=1&b=%7B"


@pytest.mark.parametrize("update", [
    "DROP ALL",
    "PREFIX ex: <http://example.org/>\nINSERT DATA { GRAPH ex:g { ex:a ex:b ex:c } }",
    "# a comment first\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "  clear all",
])
def test_adhoc_updates_are_refused_without_allow_update(runner, loaded, update):
    before = quad_total(runner, loaded)
    result = invoke(runner, loaded, "query", "--sparql", update)
    assert result.exit_code == 2
    assert "--allow-update" in result.stderr
    assert quad_total(runner, loaded) == before


def test_allow_update_applies_the_update_and_counts_the_quads(runner, loaded):
    before = quad_total(runner, loaded)
    insert = ('PREFIX ex: <http://example.org/>\n'
              'INSERT DATA { GRAPH ex:notes { ex:a ex:says "one" . ex:a ex:says "two" } }')
    added = invoke(runner, loaded, "query", "--allow-update", "--sparql", insert)
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "update applied: 2 quads added, 0 removed"
    assert quad_total(runner, loaded) == before + 2
    dropped = invoke(runner, loaded, "query", "--allow-update", "--sparql", "DROP GRAPH <http://example.org/notes>")
    assert dropped.stdout.strip() == "update applied: 0 quads added, 2 removed"
    assert quad_total(runner, loaded) == before
    # a read query with the flag is still a read query
    read = invoke(runner, loaded, "query", "--allow-update", "--sparql", "ASK { ?s ?p ?o }", "--format", "json")
    assert read.exit_code == 0 and json.loads(read.stdout)["boolean"] is True
    broken = invoke(runner, loaded, "query", "--allow-update", "--sparql", "INSERT DATA { <a:b> <a:c> }")
    assert broken.exit_code == 2


HOSTILE_TEXT = 'say """quoted""" <script>alert("x")</script> a > b & c \\ d \\" e \x01\x07 {end}'


def test_document_text_cannot_inject_markup_into_rdf(runner, store_path, tmp_path):
    import rdflib

    sentence = "This £54m includes the interest amount"
    assert sentence in GOOD_TEXT
    path = tmp_path / "hostile.txt"
    path.write_text(GOOD_TEXT.replace(sentence, f"This £54m ({HOSTILE_TEXT}) includes the interest amount"),
                    encoding="utf-8")
    result = invoke(runner, store_path, "load", str(path))
    assert result.exit_code == 0, result.output
    literals_with_text = {}
    for fmt, rdflib_format in (("turtle", "turtle"), ("nquads", "nquads"), ("trig", "trig"), ("ntriples", "nt")):
        exported = invoke(runner, store_path, "export", "--format", fmt)
        assert exported.exit_code == 0
        dataset = rdflib.Dataset()
        dataset.parse(data=exported.stdout, format=rdflib_format)
        found = [str(o) for _, _, o, _ in dataset.quads((None, None, None, None))
                 if isinstance(o, rdflib.Literal) and HOSTILE_TEXT in str(o)]
        literals_with_text[fmt] = len(found)
        assert found, f"{fmt}: the text did not survive intact"
        # nothing outside literals came from the text: no IRI or extra triple holds a piece of it
        terms = {str(t) for q in dataset.quads((None, None, None, None)) for t in q[:3] if not isinstance(t, rdflib.Literal)}
        assert not any("<script" in t or "alert(" in t for t in terms)
    assert len(set(literals_with_text.values())) == 1, literals_with_text


def test_document_text_cannot_inject_markup_into_pages(runner, store_path, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    sentence = "This £54m includes the interest amount"
    (sources / "hostile.txt").write_text(
        GOOD_TEXT.replace(sentence, f"This £54m ({HOSTILE_TEXT}) includes the interest amount"), encoding="utf-8")
    assert invoke(runner, store_path, "load", str(sources)).exit_code == 0
    site = tmp_path / "site"
    result = invoke(runner, store_path, "pages", "-o", str(site), "--sources", str(sources))
    assert result.exit_code == 0, result.output
    pages = {path: path.read_text(encoding="utf-8") for path in site.rglob("*.html")}
    assert pages
    assert not [path for path, html in pages.items() if '<script>alert("x")' in html or "alert(\"x\")</script>" in html]
    assert any("&lt;script&gt;alert(" in html for html in pages.values())
