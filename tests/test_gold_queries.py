"""End to end against the gold seeds: the saved queries over the loaded corpus give the gold facts.

The loaders' own tests score extraction; this scores what a user gets from the CLI's
queries (canonical council names, person names without honorifics, roles as written).
"""

from __future__ import annotations

import pytest

from tests.gold import gold_document, norm, score, seeds

PROGRESS_REVIEWS = [d["file"] for d in seeds()["documents"] if d["kind"] == "progress-review"]
ALL_DOCUMENTS = [d["file"] for d in seeds()["documents"]]


def rows(kg, name, **params):
    return kg.run(name, params).values()


def test_documents_have_canonical_councils_kinds_and_dates(corpus_kg):
    got = {r["document"]: r for r in rows(corpus_kg, "documents")}
    found, required = set(), set()
    for file in ALL_DOCUMENTS:
        gold = gold_document(file)
        required |= {(file, "kind", gold["kind"]), (file, "council", gold["council"])}
        if gold["date"]:
            required.add((file, "date", gold["date"]))
        row = got.get(file, {})
        found |= {(file, "kind", row.get("kind")), (file, "council", row.get("council"))}
        if row.get("date"):
            found.add((file, "date", row["date"]))
    result = score("documents", found, required)
    print(result)
    assert result.precision >= 0.95 and result.recall >= 0.95, result


def test_councils_are_listed_once_with_gss(corpus_kg):
    got = rows(corpus_kg, "councils")
    names = [r["council"] for r in got]
    assert len(names) == len(set(names)), "a council appears twice"
    by_name = {r["council"]: r["gss"] for r in got}
    for council in seeds()["councils"]:
        if council.get("subject"):
            assert by_name.get(council["name"]) == council["gss"], council["name"]


@pytest.mark.parametrize("file", PROGRESS_REVIEWS)
def test_peers_query_matches_gold(corpus_kg, file):
    gold = gold_document(file)
    got = [r for r in rows(corpus_kg, "peers") if r["document"] == file]
    found = {(norm(r["person"]), norm(r["organisation"])) for r in got}
    required = {(norm(p["name"]), norm(p["organisation"])) for p in gold["peers"]}
    result = score(f"peers {file}", found, required)
    print(result)
    assert result.precision >= 0.95 and result.recall >= 0.95, result
    for r in got:
        assert r["council"] == gold["council"]
        assert not norm(r["person"]).startswith(("cllr", "councillor", "dr ", "sir "))


@pytest.mark.parametrize("file", PROGRESS_REVIEWS)
def test_recommendations_query_matches_gold(corpus_kg, file):
    gold = gold_document(file)
    got = [r for r in rows(corpus_kg, "recommendations") if r["document"] == file]
    found = {(int(r["number"]), norm(r["title"])) for r in got}
    required = {(rec["number"], norm(rec["title"])) for rec in gold["recommendations"]}
    result = score(f"recommendations {file}", found, required)
    print(result)
    assert result.precision >= 0.95 and result.recall >= 0.95, result


@pytest.mark.parametrize("category, query, column", [("risks", "risks", "risk"),
                                                      ("interventions", "interventions", "intervention")])
def test_risks_and_interventions_match_gold_across_progress_reviews(corpus_kg, category, query, column):
    got = rows(corpus_kg, query)
    found, required, optional = set(), set(), set()
    for file in PROGRESS_REVIEWS:
        gold = gold_document(file)
        found |= {(file, r[column]) for r in got if r["document"] == file}
        for item in gold[category]:
            (optional if item.get("optional") else required).add((file, item["notation"]))
    result = score(category, found, required, optional)
    print(result)
    assert result.precision >= 0.95 and result.recall >= 0.95, result


def test_shared_people_names_stuart_reid_across_two_councils(corpus_kg):
    got = {r["person"]: r for r in rows(corpus_kg, "shared-people")}
    assert "Stuart Reid" in got
    assert got["Stuart Reid"]["councils"] == "London Borough of Hackney; London Borough of Havering"
    assert got["Stuart Reid"]["count"] == "2"
