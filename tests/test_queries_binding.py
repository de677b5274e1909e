"""How saved queries are bound and ordered for speed, and that the rows stay the rows.

Parameters go in as VALUES blocks inside each UNION branch and sub-select (so that Oxigraph
plans from them), and ``sparql.run`` sorts in Python: these tests check that a bound query
gives the unbound query's rows for that value, and the engine's order.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from councilkg import sparql

HACKNEY = "https://w3id.org/councilkg/id/council/london-borough-of-hackney"
COUNCIL_QUERIES = sorted(
    (name, p.variable) for name, q in sparql.saved_queries().items() for p in q.params
    if p.type == "council" and not p.required)
#: Queries the five samples give no rows (no Corporate Peer Challenge report among them); their binding is
#: tested on fixtures in tests/test_recommendation_follow_up.py.
NO_SAMPLE_ROWS = {"recommendation-follow-up"}
ORDERED = sorted(name for name, q in sparql.saved_queries().items()
                 if sparql._ordering(q)[1] and not any(p.required for p in q.params))


def values_blocks(text: str) -> list[int]:
    """Line numbers (from 0) of the lines that open with a VALUES block written for the parameters."""
    return [i for i, line in enumerate(text.splitlines()) if line.strip().startswith("VALUES (?c)")]


def test_values_go_in_each_union_branch_and_sub_select_that_binds_the_parameter():
    query = """# header with WHERE { in it
SELECT ?c ?x WHERE {
  { ?c <urn:p> ?x } UNION { ?c <urn:q> ?x } UNION { ?y <urn:r> ?x }
  { SELECT ?c (COUNT(?z) AS ?n) WHERE { ?c <urn:s> ?z } GROUP BY ?c }
  { SELECT ?c WHERE { ?c <urn:t> "{" } LIMIT 5 }
  { SELECT (?c AS ?d) WHERE { ?c <urn:u> ?w } }
  OPTIONAL { { ?c <urn:v> ?v } UNION { ?c <urn:w> ?v } }
}"""
    bound = sparql.with_parameters(query, {ox.Variable("c"): ox.NamedNode("urn:c")})
    lines = bound.splitlines()
    blocks = values_blocks(bound)
    # the top of the WHERE clause, the two branches naming ?c, and the grouped sub-select
    assert len(blocks) == 4, bound
    assert all(lines[i].strip().startswith("VALUES (?c) { (<urn:c>) }") for i in blocks)
    assert "LIMIT 5" in bound and bound.count("<urn:t>") == 1
    text_after = {lines[i - 1].strip()[-30:] for i in blocks}
    assert not any("OPTIONAL" in t for t in text_after)
    ox.Store().query(bound)  # still SPARQL


def test_a_value_is_written_as_a_term_not_pasted():
    query = sparql.saved_queries()["similar-recommendations"]
    phrase = 'x" } } DROP ALL { "'
    bound = sparql.with_parameters(query.text, {ox.Variable("phrase"): ox.Literal(phrase)})
    assert '"x\\" } } DROP ALL { \\""' in bound
    ox.Store().query(bound)


@pytest.mark.parametrize("name,variable", COUNCIL_QUERIES)
def test_a_council_gives_the_rows_of_that_council(corpus_kg, name, variable):
    """Bound with VALUES in every branch, a query gives what the unbound query gives for that council."""
    every = corpus_kg.run(name).values()
    one = corpus_kg.run(name, {"council": HACKNEY}).values()
    key = lambda rows: sorted(repr(sorted(r.items())) for r in rows)  # noqa: E731
    assert key(one) == key([r for r in every if r[variable] == HACKNEY])
    if name not in NO_SAMPLE_ROWS:
        assert one, f"{name}: nothing for Hackney"


@pytest.mark.parametrize("name", ORDERED)
def test_run_gives_the_rows_in_the_order_by_order(corpus_kg, name):
    """``run`` sorts in Python: the ORDER BY keys come in the sequence Oxigraph gives them."""
    query = sparql.saved_queries()[name]
    ordering = sparql._ordering(query)[1]
    variables = [v for v, _, _ in ordering]
    engine = [tuple(s[v].value if s[v] is not None else None for v in variables)
              for s in corpus_kg.store.query(query.text)]
    ours = [tuple(r[v] for v in variables) for r in corpus_kg.run(name).values()]
    assert ours == engine


def test_sort_keeps_the_order_of_separate_stable_sorts():
    """``run`` sorts each run of conditions with the same direction at once: the same order as one
    stable sort per condition, the last first (ties keep the engine's order)."""
    xsd_int = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    terms = [None, ox.NamedNode("urn:b"), ox.NamedNode("urn:a"), ox.Literal("b"), ox.Literal("a"),
             ox.Literal("10", datatype=xsd_int), ox.Literal("9", datatype=xsd_int)]
    rows = [{"a": a, "b": b, "c": c, "n": i} for i, (a, b, c) in enumerate(
        (terms[i % 7], terms[(i * 3) % 7], terms[(i * 5) % 4]) for i in range(60))]
    for ordering in ((("a", False, False), ("b", False, False), ("c", False, True)),
                     (("a", True, False), ("b", True, False), ("c", False, False)),
                     (("a", False, False), ("b", True, True), ("c", True, False))):
        expected = list(rows)
        for variable, descending, as_string in reversed(ordering):
            expected.sort(key=lambda row: sparql._order_key(row[variable], as_string), reverse=descending)
        ours = list(rows)
        sparql._sort(ours, ordering)
        assert [r["n"] for r in ours] == [r["n"] for r in expected]
    assert [r["n"] for r in expected] != [r["n"] for r in rows]


def test_order_by_that_is_not_plain_variables_is_left_to_the_engine():
    plain = sparql.SavedQuery("q", "SELECT ?a ?b WHERE { ?a <urn:p> ?b } ORDER BY DESC(?b) STR(?a)")
    assert sparql._ordering(plain)[1] == (("b", True, False), ("a", False, True))
    assert "ORDER BY" not in sparql._ordering(plain)[0].text
    for text in ("SELECT ?a ?b WHERE { ?a <urn:p> ?b } ORDER BY LCASE(?b)",
                 "SELECT ?a WHERE { ?a <urn:p> ?b } ORDER BY ?b",
                 "SELECT ?a ?b WHERE { ?a <urn:p> ?b } ORDER BY ?b LIMIT 3"):
        query = sparql.SavedQuery("q", text)
        assert sparql._ordering(query) == (query, ())


def test_similar_recommendations_give_one_row_per_pair_of_councils(corpus_kg):
    related = [r for r in corpus_kg.run("council-relationships").values() if r["relation"] == "similar recommendation"]
    pairs = [(r["council1Iri"], r["council2Iri"]) for r in related]
    assert pairs and len(pairs) == len(set(pairs))
    similar = corpus_kg.run("similar-recommendations").values()
    for r in related:
        others = {s["similar"] for s in similar if s["council"] == r["council1"] and s["similarCouncil"] == r["council2"]}
        assert r["via"].split()[0] == str(len(others)), r
        assert r["viaIri"] in others and r["evidenceDocument"] and r["ownDocument"]


def test_a_risk_shared_by_many_councils_links_no_pair(kg):
    """Shared-risk pairs only for a risk type evidenced for ten councils or fewer."""
    ckg, base = "https://w3id.org/councilkg/ontology#", "https://w3id.org/councilkg/id/"
    lines = []
    for risk, councils in (("common", range(11)), ("rare", range(2))):
        lines.append(f"<urn:risk:{risk}> <http://www.w3.org/2004/02/skos/core#prefLabel> \"{risk}\" ;"
                     f" <http://www.w3.org/2004/02/skos/core#notation> \"{risk}\" .")
        for i in councils:
            council, doc, mention = f"<{base}council/c{i}>", f"<{base}document/d{i}>", f"<{base}document/d{i}/risk/{risk}>"
            lines += [f"{council} a <{ckg}Council> ; <http://www.w3.org/2004/02/skos/core#prefLabel> \"Council {i}\" .",
                      f"{doc} a <{ckg}Document> ; <{ckg}sourceFile> \"d{i}.txt\" ; <{ckg}council> {council} .",
                      f"{mention} a <{ckg}RiskMention> ; <{ckg}riskType> <urn:risk:{risk}> ; <{ckg}council> {council} ;"
                      f" <http://www.w3.org/ns/prov#wasDerivedFrom> {doc} ."]
    kg.store.update("INSERT DATA { GRAPH <urn:g> { " + "\n".join(lines) + " } }")
    rows = kg.run("council-relationships").values()
    assert {(r["council1"], r["council2"], r["via"]) for r in rows if r["relation"] == "shared risk"} == {
        ("Council 0", "Council 1", "rare"), ("Council 1", "Council 0", "rare")}
    assert len(kg.run("shared-risks").rows) == 2  # both types are still listed there
