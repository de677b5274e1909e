"""Saved queries: every .rq parses, declares what it binds, and the contract's queries give the contract's columns."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from councilkg import sparql
from councilkg.errors import QueryError, QueryParameterError
from councilkg.iri import Minter

CONTRACT = {
    "documents": ["document", "kind", "council", "title", "date"],
    "councils": ["council", "name", "gss"],
    "peers": ["council", "review", "date", "person", "role", "organisation"],
    "recommendations": ["council", "review", "number", "title", "theme"],
    "risks": ["council", "risk", "label", "document"],
    "interventions": ["council", "intervention", "label", "date", "document"],
    "financial-facts": ["council", "measure", "period", "value", "unit", "document"],
    "shared-people": ["person", "councils", "count"],
}
ALL = sorted(sparql.saved_queries())


@pytest.mark.parametrize("name", ALL)
def test_every_saved_query_parses_and_declares_its_parameters(name):
    query = sparql.saved_queries()[name]
    assert query.title and query.description, f"{name}: header needs a title and a description"
    ox.Store().query(query.text)  # raises SyntaxError on a malformed query
    projected = query.projected()
    for param in query.params:
        assert param.variable in projected, f"{name}: parameter {param.name} binds ?{param.variable}, not projected"
        assert f"?{param.variable}" in query.text


@pytest.mark.parametrize("name, columns", sorted(CONTRACT.items()))
def test_contract_queries_project_the_contract_columns(name, columns):
    variables = sparql.saved_queries()[name].variables()
    assert variables[: len(columns)] == columns


@pytest.mark.parametrize("name, columns", sorted(CONTRACT.items()))
def test_contract_queries_run_on_the_corpus(corpus_kg, name, columns):
    result = corpus_kg.run(name)
    assert result.variables[: len(columns)] == columns
    assert result.rows, f"{name} returned no rows on the sample corpus"


def test_param_header_is_parsed():
    q = sparql.parse(
        "# title: T\n# description: D\n# param: council council optional var=councilIri -- a council\n"
        "# param: n integer required default=3 -- how many\nSELECT ?councilIri ?n WHERE {}\n",
        "t",
    )
    assert [(p.name, p.type, p.required, p.default, p.variable, p.help) for p in q.params] == [
        ("council", "council", False, None, "councilIri", "a council"),
        ("n", "integer", True, "3", "n", "how many"),
    ]
    with pytest.raises(QueryError):
        sparql.parse("# param: what\nSELECT * WHERE {}", "bad")


def test_bind_checks_types_and_names():
    q = sparql.parse("# title: T\n# param: n integer required -- n\n# param: d date optional -- d\n"
                      "SELECT ?n ?d WHERE {}", "t")
    minter = Minter()
    bound = sparql.bind(q, {"n": "42", "d": "2025-10-09"}, minter)
    assert bound[ox.Variable("n")] == ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    for bad in ({"n": "forty"}, {"n": "1", "d": "9 October"}, {}, {"n": "1", "x": "2"}):
        with pytest.raises(QueryParameterError):
            sparql.bind(q, bad, minter)


def test_council_parameter_accepts_names_and_codes():
    minter = Minter()
    q = sparql.saved_queries()["council-profile"]
    by_name = sparql.bind(q, {"council": "Hackney Council"}, minter)
    by_code = sparql.bind(q, {"council": "E09000012"}, minter)
    by_formal = sparql.bind(q, {"council": "London Borough of Hackney"}, minter)
    assert by_name == by_code == by_formal
    assert by_name[ox.Variable("council")] == minter.council("London Borough of Hackney")


def test_updates_are_not_queries():
    for update in ("DROP ALL", "PREFIX a: <http://a/> INSERT DATA { a:b a:c a:d }", "  clear default"):
        with pytest.raises(QueryParameterError):
            sparql.check_read_only(update)
    sparql.check_read_only("# DROP ALL in a comment\nSELECT * WHERE { ?s ?p ?o }")


TRIPLE_START = re.compile(r"^\s*(?:\?\w+|<[^>]+>|[a-z]+:\w+)\s")


@pytest.mark.parametrize("name", ALL)
def test_patterns_come_before_optional_and_bind_in_each_group(name):
    """Oxigraph does not move a triple pattern above an OPTIONAL or BIND written before it.

    Written after one, the pattern is joined with everything so far (at N=250 documents,
    minutes instead of milliseconds), so within a group, patterns come first.
    """
    depth, seen_tail, union_parents, problems = 0, {}, set(), []
    for number, line in enumerate(sparql.saved_queries()[name].text.splitlines(), 1):
        code = line.split("#")[0]
        stripped = code.strip()
        if stripped.startswith(("OPTIONAL", "BIND(")):
            seen_tail[depth] = True
        elif TRIPLE_START.match(code) and seen_tail.get(depth):
            problems.append(f"line {number}: {stripped}")
        if "UNION" in code:
            union_parents.add(depth - 1)
        for ch in code:
            if ch == "{":
                depth += 1
                seen_tail[depth] = False
            elif ch == "}":
                seen_tail.pop(depth, None)
                depth -= 1
                if depth in union_parents and "UNION" not in code:
                    # after a UNION: a later pattern is joined against every branch's rows
                    union_parents.discard(depth)
                    seen_tail[depth] = True
    assert problems == []


# A FILTER comparing terms with != or (NOT) IN: Oxigraph's = reads both terms' text from the store.
TERM_INEQUALITY = re.compile(r"[?$]\w+\s*!=\s*(?:[?$]\w+|<[^>]*>|[A-Za-z]\w*:\w*)|\b(?:NOT\s+)?IN\s*\(", re.I)


@pytest.mark.parametrize("name", ALL)
def test_iris_are_compared_with_same_term(name):
    """IRIs are told apart with ``sameTerm`` (which compares Oxigraph's term ids) rather than ``!=`` or
    ``NOT IN`` (which read the text of both terms: at 2,500 documents, 3 us a comparison)."""
    code = "\n".join(line.split("#")[0] for line in sparql.saved_queries()[name].text.splitlines())
    assert TERM_INEQUALITY.findall(code) == []


def test_same_term_check_finds_inequalities():
    assert TERM_INEQUALITY.search("FILTER(?a != ?b)")
    assert TERM_INEQUALITY.search("FILTER(?g != <urn:x>)")
    assert TERM_INEQUALITY.search("FILTER(?t NOT IN (org:Membership))")
    assert not TERM_INEQUALITY.search("FILTER(!sameTerm(?a, ?b))")
    assert not TERM_INEQUALITY.search('FILTER(?wanted = "" || CONTAINS(?t, ?wanted))')
