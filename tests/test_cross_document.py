"""Questions across documents, on the sample corpus: timeline, identities, conflicts, CQC and metrics queries."""

from __future__ import annotations

from collections import Counter

from tests.gold import gold_document, norm, seeds

HACKNEY = "London Borough of Hackney"


def rows(kg, name, **params):
    return kg.run(name, params).values()


def test_hackney_timeline_runs_in_date_order_across_three_documents(corpus_kg):
    timeline = rows(corpus_kg, "council-timeline", council="Hackney Council")
    dates = [r["date"] for r in timeline]
    assert dates == sorted(dates)
    assert {"hackney-cpc-progress-review-2025-10.txt", "hackney-cqc-assessment-2026-02.md"} <= {
        r["document"] for r in timeline}

    def first(predicate):
        return next(i for i, r in enumerate(timeline) if predicate(r))

    cyber = first(lambda r: r["date"].startswith("2020") and "cyber" in norm(r["event"]))
    system_back = first(lambda r: r["date"].startswith("2022") and "live again" in norm(r["event"]))
    cpc = first(lambda r: r["date"] == "2024-11" and "peer challenge" in norm(r["event"]))
    review = first(lambda r: r["date"] == "2025-10-09" and r["kind"] == "progress-review")
    cqc = first(lambda r: r["date"] == "2026-02-05" and r["kind"] == "cqc-assessment")
    assert cyber < system_back < cpc < review < cqc
    assert any(r["date"] == "2022-11" and "live again" in norm(r["event"]) for r in timeline)


def test_shared_people_are_stuart_reid_and_mona_sehgal(corpus_kg):
    got = {r["person"]: (r["councils"], r["count"]) for r in rows(corpus_kg, "shared-people")}
    expected = {p["person"]: (p["councils_joined"], str(p["count"])) for p in seeds()["shared_people"]}
    assert got == expected


def test_no_duplicate_people_or_organisations(corpus_kg):
    people = corpus_kg.store.query(
        "SELECT ?p ?name WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; <http://xmlns.com/foaf/0.1/name> ?name }")
    names = Counter(row["name"].value for row in people)
    assert [n for n, c in names.items() if c > 1] == []
    for pair in seeds()["not_same_people"]:
        a, b = (pair[k].split(" (")[0] for k in ("a", "b"))
        if not a.startswith("the "):
            assert a != b and names.get(a, 0) <= 1 and names.get(b, 0) <= 1
    orgs = corpus_kg.store.query(
        "SELECT DISTINCT ?o ?label WHERE { ?o a <http://www.w3.org/ns/org#Organization> ;"
        " <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")
    by_label = Counter(norm(row["label"].value) for row in orgs)
    assert [label for label, c in by_label.items() if c > 1] == []
    labels = set(by_label)
    for shared in seeds()["shared_organisations"]:
        if not shared.get("optional"):
            assert norm(shared["organisation"]) in labels, shared["organisation"]


def test_conflicts_include_the_known_two_with_both_documents(corpus_kg):
    conflicts = rows(corpus_kg, "conflicts")

    def found(subject_part, value1, value2, document1, document2):
        return any(
            subject_part in norm(r["subject"]) and {r["value1"], r["value2"]} == {value1, value2}
            and {r["document1"], r["document2"]} == {document1, document2}
            for r in conflicts)

    review = "hackney-cpc-progress-review-2025-10.txt"
    cqc = "hackney-cqc-assessment-2026-02.md"
    tower = "tower-hamlets-cpc-progress-review-2025-10.txt"
    assert found("cyber-attack", "2020", "2019", review, review)
    assert found("cyber-attack", "2020", "2019", cqc, review)
    assert found("outstanding accounts", "2018/19", "2028/19", tower, tower)
    assert found("recommendation 5", "Continue with the intention to introduce a new performance management framework",
                 "Consider introducing a new performance management framework", review, review)
    assert found("savings made", "£164m (since 2010)", "£160m (last 14 years)",
                 "havering-cpc-progress-review-2024-05.txt", "havering-cpc-progress-review-2024-05.txt")
    for not_conflict in ("2020-10", "October 2020"):
        assert not any(not_conflict in (r["value1"], r["value2"]) for r in conflicts)


def test_cqc_queries(corpus_kg):
    gold = gold_document("hackney-cqc-assessment-2026-02.md")["cqc"]
    ratings = rows(corpus_kg, "cqc-ratings")
    assert [(r["council"], norm(r["rating"]), r["published"]) for r in ratings] == [
        (HACKNEY, norm(gold["rating"]), "2026-02-05")]
    scores = {norm(r["statement"]): int(r["score"]) for r in rows(corpus_kg, "cqc-scores")}
    assert len(scores) == 9
    for statement, score in gold["scores"].items():
        value = score["score"] if isinstance(score, dict) else score
        assert scores[norm(statement)] == value, statement


def test_metrics_query_gives_indicators_with_their_england_average(corpus_kg):
    metrics = rows(corpus_kg, "metrics")
    england = [m for m in metrics if m["comparator"] and "england" in norm(m["comparator"])]
    assert len(england) == 17
    satisfied = [m for m in england if m["value"] == "61.29"]
    assert [(m["comparatorValue"], m["period"]) for m in satisfied] == [("65.16", "2024/25")]
    minutes = [m for m in metrics if m["document"] == "hackney-scrutiny-panel-ceo-question-time.txt"]
    assert {("67", "48")} <= {(m["value"], m["comparatorValue"]) for m in minutes}
