"""The command-line contract: every command, its exit status, its stderr line, its JSON variables."""

from __future__ import annotations

import json

import pytest
import rdflib

from councilkg.cli import main
from tests.conftest import SOURCES

GOOD = SOURCES / "havering-cpc-progress-review-2024-05.txt"


def invoke(runner, store, *args):
    return runner.invoke(main, [*args, "--store", str(store)], catch_exceptions=False)


def quad_count(runner, store) -> int:
    result = invoke(runner, store, "query", "--sparql",
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


def test_load_twice_leaves_the_same_graph(runner, store_path):
    first = invoke(runner, store_path, "load", str(GOOD))
    assert first.exit_code == 0, first.output
    assert "loaded" in first.stdout
    count = quad_count(runner, store_path)
    assert count > 100
    dump1 = invoke(runner, store_path, "export", "--format", "nquads").stdout
    second = invoke(runner, store_path, "load", str(GOOD))
    assert second.exit_code == 0
    assert "unchanged" in second.stdout
    assert quad_count(runner, store_path) == count
    assert invoke(runner, store_path, "export", "--format", "nquads").stdout == dump1
    forced = invoke(runner, store_path, "load", "--force", str(GOOD))
    assert forced.exit_code == 0 and "loaded" in forced.stdout
    assert quad_count(runner, store_path) == count


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"   \n\n  ", "file is empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        ("recipe.txt", "Lemon drizzle cake\n\nMix 200g flour with sugar and bake for 40 minutes.\n".encode(),
         "not a recognised document kind (supported: cqc-assessment, minutes, peer-challenge, progress-review)"),
    ],
)
def test_bad_input_is_rejected_and_loses_nothing(runner, store_path, tmp_path, name, content, reason):
    invoke(runner, store_path, "load", str(GOOD))
    before = quad_count(runner, store_path)
    bad = tmp_path / name
    bad.write_bytes(content)
    other = tmp_path / "other.txt"
    other.write_text(GOOD.read_text(encoding="utf-8").replace("Havering", "Barking and Dagenham"), encoding="utf-8")
    result = invoke(runner, store_path, "load", str(bad), str(other))
    assert result.exit_code == 1
    assert f"councilkg: rejected {bad}: {reason}" in result.stderr
    assert "loaded" in result.stdout and "other.txt" in result.stdout  # the good file still loads
    after_other = quad_count(runner, store_path)
    assert after_other > before
    # and the rejected file alone changes nothing
    alone = invoke(runner, store_path, "load", str(bad))
    assert alone.exit_code == 1
    assert quad_count(runner, store_path) == after_other


def test_missing_path_is_rejected(runner, store_path, tmp_path):
    result = invoke(runner, store_path, "load", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "nope.txt: no such file or folder" in result.stderr


def test_export_turtle_parses_and_trig_keeps_named_graphs(runner, corpus_store):
    turtle = invoke(runner, corpus_store, "export", "--format", "turtle")
    assert turtle.exit_code == 0
    g = rdflib.Graph().parse(data=turtle.stdout, format="turtle")
    assert len(g) > 1000
    trig = invoke(runner, corpus_store, "export", "--format", "trig")
    ds = rdflib.Dataset()
    ds.parse(data=trig.stdout, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    graphs = json.loads(invoke(runner, corpus_store, "query", "--sparql",
                               "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json").stdout)
    expected = {b["g"]["value"] for b in graphs["results"]["bindings"]}
    assert expected <= names
    assert sum(1 for _ in ds.quads()) == quad_count(runner, corpus_store)
    for fmt in ("nquads", "ntriples", "jsonld"):
        out = invoke(runner, corpus_store, "export", "--format", fmt)
        assert out.exit_code == 0 and out.stdout.strip()


def test_hostile_parameter_is_a_plain_literal(runner, store_path, tmp_path):
    invoke(runner, store_path, "load", str(GOOD))
    before = quad_count(runner, store_path)
    echo = tmp_path / "echo.rq"
    echo.write_text("# title: Echo\n# param: text string required -- anything\n"
                    "SELECT ?text ?n WHERE { BIND(STRLEN(?text) AS ?n) }\n", encoding="utf-8")
    hostile = 'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d" } #\n{ \\ \'quote\' }'
    result = invoke(runner, store_path, "query", str(echo), "--param", f"text={hostile}", "--format", "json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["results"]["bindings"][0]
    assert row["text"]["value"] == hostile
    assert int(row["n"]["value"]) == len(hostile)
    council = invoke(runner, store_path, "query", "peers", "--param", f"council={hostile}")
    assert council.exit_code == 2
    assert "no council called" in council.stderr
    assert quad_count(runner, store_path) == before


def test_adhoc_update_is_refused(runner, store_path):
    invoke(runner, store_path, "load", str(GOOD))
    before = quad_count(runner, store_path)
    result = invoke(runner, store_path, "query", "--sparql", "DROP ALL")
    assert result.exit_code == 2
    assert "update" in result.stderr
    assert quad_count(runner, store_path) == before


def test_usage_errors_exit_2(runner, store_path):
    unknown = invoke(runner, store_path, "query", "no-such-query")
    assert unknown.exit_code == 2 and "no saved query" in unknown.stderr
    malformed = invoke(runner, store_path, "query", "peers", "--param", "council")
    assert malformed.exit_code == 2 and "KEY=VALUE" in malformed.stderr
    undeclared = invoke(runner, store_path, "query", "councils", "--param", "colour=red")
    assert undeclared.exit_code == 2 and "unknown parameter colour" in undeclared.stderr
    bad_sparql = invoke(runner, store_path, "query", "--sparql", "SELECT WHERE {")
    assert bad_sparql.exit_code == 2
    bad_option = invoke(runner, store_path, "export", "--format", "rdfxml-please")
    assert bad_option.exit_code == 2


def test_queries_lists_every_saved_query(runner):
    result = runner.invoke(main, ["queries", "--format", "json"])
    assert result.exit_code == 0
    names = {q["name"] for q in json.loads(result.stdout)}
    assert {"documents", "councils", "peers", "recommendations", "risks", "interventions", "financial-facts",
            "shared-people", "recommendation-progress", "council-profile"} <= names


def test_inspect_shows_kind_and_evidence_without_writing(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["inspect", str(GOOD), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "progress-review"
    assert data["detection"]["progress-review"] >= 0.8
    assert data["extraction"]["peers"][0]["evidence"]["quote"]
    assert not (tmp_path / ".councilkg").exists()
    text = runner.invoke(main, ["inspect", str(GOOD)])
    assert "kind:      progress-review" in text.stdout
    assert 'line ' in text.stdout
    bad = runner.invoke(main, ["inspect", str(tmp_path / "missing.txt")])
    assert bad.exit_code == 1 and "no such file" in bad.stderr


@pytest.mark.parametrize("command", ["load", "build", "queries", "query", "export", "inspect"])
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_build_writes_turtle_and_reports_where(runner, tmp_path, sources_copy, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "--sources", str(sources_copy), "--ttl-dir", "ttl"])
    assert result.exit_code == 0, result.output
    assert "turtle:   ttl/ (7 files)" in result.stdout
    written = sorted(p.name for p in (tmp_path / "ttl").glob("*.ttl"))
    assert written == sorted([p.stem + ".ttl" for p in sources_copy.iterdir()] + ["ontology.ttl", "entities.ttl"])
    for path in (tmp_path / "ttl").glob("*.ttl"):
        assert len(rdflib.Graph().parse(path, format="turtle")) > 0
    # a document removed from the sources folder leaves the graph on the next build
    (sources_copy / "havering-cpc-progress-review-2024-05.txt").unlink()
    again = runner.invoke(main, ["build", "--sources", str(sources_copy), "--ttl-dir", "ttl"])
    assert again.exit_code == 0
    assert "removed   havering-cpc-progress-review-2024-05.txt" in again.stdout
    assert not (tmp_path / "ttl" / "havering-cpc-progress-review-2024-05.ttl").exists()
