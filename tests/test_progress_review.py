"""The progress-review loader against the gold seeds, on edited and invented documents, and on noise."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councilkg.errors import DocumentRejected
from councilkg.loaders import Document
from councilkg.loaders.progress_review import ProgressReviewLoader
from tests.gold import SOURCES, Score, norm, score, seeds

LOADER = ProgressReviewLoader()
FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS = sorted(d["file"] for d in seeds()["documents"] if d["kind"] == "progress-review")
OTHERS = sorted(d["file"] for d in seeds()["documents"] if d["kind"] != "progress-review")
THRESHOLD = 0.95


def load(path: Path, text: str | None = None):
    source = path.read_text(encoding="utf-8") if text is None else text
    return LOADER.extract(Document(path.name, source, path))


def not_expected(gold: dict, category: str) -> set[str]:
    values = set()
    for item in gold.get("not_expected", []):
        if item["category"] == category:
            values |= {v.strip() for v in item["value"].split("/")}
    return values


def scores_for(file: str) -> list[Score]:
    gold = next(d for d in seeds()["documents"] if d["file"] == file)
    ex = load(SOURCES / file)
    out = []

    # Peers: name + role + organisation; any listed role variant is as good as the role.
    required, found = set(), set()
    accepted: dict[tuple, tuple] = {}
    for p in gold["peers"]:
        key = (norm(p["name"]), norm(p.get("role")), norm(p["organisation"]))
        required.add(key)
        for role in [p.get("role"), *p.get("role_variants", [])]:
            accepted[(norm(p["name"]), norm(role), norm(p["organisation"]))] = key
    for p in ex.peers:
        key = (norm(p.name), norm(p.role), norm(p.organisation))
        found.add(accepted.get(key, key))
    out.append(score("peers", found, required))

    # Recommendations: number + short title.
    required = {(r["number"], norm(r["title"])) for r in gold["recommendations"]}
    found = {(r.number, norm(r.title)) for r in ex.recommendations}
    out.append(score("recommendations", found, required))

    # Dates: the review (and its last day), the original peer challenge.
    required = {("review", gold["date"]), ("original", gold["original_cpc"])}
    if gold.get("date_end"):
        required.add(("review-end", gold["date_end"]))
    found = set()
    if ex.date:
        found.add(("review", ex.date.iso()))
    if ex.date_end:
        found.add(("review-end", ex.date_end.iso()))
    if ex.original_review_date:
        found.add(("original", ex.original_review_date.iso()))
    out.append(score("dates", found, required))

    # Council (as written, the most complete form first in the gold) and title.
    required = {("council", norm(gold["council_as_written"][0])), ("title", norm(gold["title"]))}
    found = {("council", norm(ex.council.name if ex.council else None)), ("title", norm(ex.title))}
    out.append(score("council and title", found, required))

    for name, key in (("risks", "risks"), ("interventions", "interventions")):
        required = {x["notation"] for x in gold[key] if not x.get("optional")}
        optional = {x["notation"] for x in gold[key] if x.get("optional")}
        found = {m.notation for m in getattr(ex, key)}
        s = score(name, found, required, optional)
        bad = found & not_expected(gold, key)
        assert not bad, f"{file}: not expected {name} {bad}"
        out.append(s)
    return out


def _report(all_scores: dict[str, list[Score]]) -> str:
    lines = []
    for file, scores in all_scores.items():
        lines += [f"{file}: {s}" for s in scores]
    totals: dict[str, list[int]] = {}
    for scores in all_scores.values():
        for s in scores:
            t = totals.setdefault(s.name, [0, 0, 0])
            t[0] += s.true_positive
            t[1] += s.false_positive
            t[2] += s.false_negative
    for name, (tp, fp, fn) in totals.items():
        lines.append(f"OVERALL {Score(name, tp, fp, fn, [], [])}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def gold_scores() -> dict[str, list[Score]]:
    return {file: scores_for(file) for file in REVIEWS}


def test_gold_precision_and_recall(gold_scores):
    report = _report(gold_scores)
    print("\n" + report)
    overall = [line for line in report.splitlines() if line.startswith("OVERALL")]
    assert len(overall) == 6
    for scores in gold_scores.values():
        for s in scores:
            assert s.precision >= THRESHOLD and s.recall >= THRESHOLD, report


@pytest.mark.parametrize("file", REVIEWS)
def test_gold_per_sample(file):
    for s in scores_for(file):
        assert s.precision >= THRESHOLD and s.recall >= THRESHOLD, f"{file}: {s}"


def test_no_recommendations_when_only_counted():
    ex = load(SOURCES / "havering-cpc-progress-review-2024-05.txt")
    assert ex.recommendations == []
    assert ex.recommendation_count == 11
    assert ex.self_assessment.counts == {"green": 7, "amber": 4, "total": 11}


def test_self_assessment_and_findings():
    ex = load(SOURCES / "tower-hamlets-cpc-progress-review-2025-10.txt")
    assert ex.title is None
    assert ex.self_assessment.counts == {"green": 12, "amber": 6, "red": 0, "total": 18}
    assert "did not agree" in ex.self_assessment.peer_view.quote
    recs = {r.number: r for r in ex.recommendations}
    assert recs[4].finding.council_rating == "amber"
    assert recs[11].finding.council_rating == "green"
    assert "little progress" in recs[4].finding.summary
    assert recs[18].title == "People First"
    claims = {(c.subject, c.value) for c in ex.claims}
    assert {("outstanding accounts", "2018/19"), ("outstanding accounts", "2028/19")} <= claims
    assert [(f.measure, f.period, int(f.value)) for f in ex.financial_facts] == [
        ("member development budget", "per annum", 60000)]
    assert [p.name for p in ex.people] == ["Mona Sehgal"]


def test_themes_variants_and_aligned_findings():
    ex = load(SOURCES / "hackney-cpc-progress-review-2025-10.txt")
    recs = {r.number: r for r in ex.recommendations}
    assert recs[5].title_variants == ["Consider introducing a new performance management framework"]
    assert recs[4].theme == "Securing Hackney’s future" and recs[2].theme == "Modernising together"
    # Findings come from the themed section, aligned by shared words, never from the summary list.
    assert "slower than expected" in recs[6].finding.evidence.quote
    assert "insufficient to close the gap" in recs[7].finding.evidence.quote
    assert "member training" in recs[11].finding.evidence.quote
    assert ex.self_assessment.scheme == "action-plan"
    assert {k: int(v) for k, v in ex.self_assessment.percentages.items()} == {
        "complete": 18, "on-track": 33, "in-progress": 44, "not-due": 5}
    years = sorted(c.value for c in ex.claims if c.subject == "cyber-attack")
    assert years[0] == "2019" and years[-1] == "2020"
    assert {c.value for c in ex.claims if c.subject == "recommendation 5"} == {
        "Continue with the intention to introduce a new performance management framework",
        "Consider introducing a new performance management framework"}
    person = ex.people[0]
    assert (person.name, person.role) == ("Mona Sehgal", "Principal Adviser for London")
    assert all("@" not in (p.name or "") and "email" not in (p.role or "") for p in ex.people)


def test_financial_facts_and_claims():
    ex = load(SOURCES / "havering-cpc-progress-review-2024-05.txt")
    facts = {(f.measure, f.period, int(f.value)) for f in ex.financial_facts}
    assert {("capitalisation", None, 54_000_000), ("capitalisation", "2023/24", 22_000_000),
            ("capitalisation", "2024/45", 32_000_000), ("savings made", "since 2010", 164_000_000),
            ("assets sold", None, 160_000_000), ("savings agreed", "2024/25", 15_000_000)} <= facts
    savings = {c.value for c in ex.claims if c.subject == "savings made"}
    assert savings == {"£164m (since 2010)", "£160m (last 14 years)"}
    assert not [c for c in ex.claims if c.subject == "capitalisation"]
    peers = {p.name: p for p in ex.peers}
    assert peers["Stuart Reid"].statutory_role == "S151 officer"
    assert peers["Julian German"].role is None and peers["Julian German"].honorific == "Cllr"
    assert peers["Angela Kawa"].peer_role == "Peer Challenge Manager"


def test_edited_copy_yields_edited_facts(tmp_path):
    source = (SOURCES / "tower-hamlets-cpc-progress-review-2025-10.txt").read_text(encoding="utf-8")
    edits = {
        "Tower Hamlets": "Brackenford Vale",
        "7 – 8 October 2025": "14 – 15 January 2026",
        "7 and 8 October 2025": "14 and 15 January 2026",
        "2023 CPC": "2024 CPC",
        "in 2023": "in 2024",
        "Mark Wynn": "Petra Olsen",
        "Lancashire County Council": "Fernshire County Council",
        "Cllr Grace Williams, Leader": "Cllr Omar Haddad, Deputy Leader",
    }
    for old, new in edits.items():
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / "edited-review.txt"
    path.write_text(source, encoding="utf-8")
    ex = load(path)
    assert ex.council.name == "Brackenford Vale Council"
    assert (ex.date.iso(), ex.date_end.iso()) == ("2026-01-14", "2026-01-15")
    assert ex.original_review_date.iso() == "2024"
    peers = {(p.honorific, p.name, p.role, p.organisation) for p in ex.peers}
    assert (None, "Petra Olsen", "Chief Executive", "Fernshire County Council") in peers
    assert ("Cllr", "Omar Haddad", "Deputy Leader", "Waltham Forest Council") in peers
    assert not any(p.name in {"Mark Wynn", "Grace Williams"} for p in ex.peers)


def test_edited_copy_with_hard_wraps(tmp_path):
    """A PDF-to-text copy: the original date moved, sentences wrapped at a fixed width."""
    source = (SOURCES / "hackney-cpc-progress-review-2025-10.txt").read_text(encoding="utf-8")
    source = source.replace("during November 2024", "during\nMarch 2024").replace(
        "Katherine Kerswell, Chief Executive, London Borough of Croydon",
        "Joan Pike, Chief Executive, London Borough of\nSutton")
    ex = load(tmp_path / "x.txt", source)
    assert ex.original_review_date.iso() == "2024-03"
    assert ("Joan Pike", "Chief Executive", "London Borough of Sutton") in {
        (p.name, p.role, p.organisation) for p in ex.peers}


def test_invented_fourth_layout():
    ex = load(FIXTURES / "progress_review_invented.txt")
    assert ex.council.name == "Wexcombe District Council"
    assert ex.title == "Corporate Peer Challenge Progress Review: Wexcombe District Council"
    assert (ex.date.iso(), ex.date_end.iso()) == ("2025-03-12", "2025-03-13")
    assert ex.original_review_date.iso() == "2023-06"
    assert [(p.honorific, p.name, p.role, p.organisation, p.statutory_role) for p in ex.peers] == [
        ("Dr", "Priya Natt", "Chief Executive", "Ashworth County Council", None),
        ("Cllr", "Tom Brandt", "Leader", "Holmbury Borough Council", None),
        (None, "Helen Oyelaran", "Director of Finance", "Lindsey Vale City Council", "Section 151 Officer"),
        (None, "Raj Kapoor", "Peer Challenge Manager", "LGA", None),
    ]
    assert [(r.number, r.title) for r in ex.recommendations] == [
        (1, "Financial resilience"), (2, "Housing repairs"), (3, "Digital customer access"),
        (4, "Member development"), (5, "Partnership with the health sector")]
    recs = {r.number: r for r in ex.recommendations}
    assert "repairs completed on time" in recs[2].finding.evidence.quote
    assert "slower than expected" in recs[5].finding.summary
    assert ex.self_assessment.counts == {"green": 3, "amber": 2, "total": 5}
    assert {m.notation for m in ex.risks} >= {"budget-gap", "demand-pressure"}
    assert [(f.measure, f.period, int(f.value)) for f in ex.financial_facts] == [("budget gap", "2027/28", 3_200_000)]
    assert [(p.name, p.role) for p in ex.people] == [("Alex Morgan", "Principal Adviser")]


@pytest.mark.parametrize("file", REVIEWS + ["../../tests/fixtures/progress_review_invented.txt"])
def test_detects_progress_reviews(file):
    text = Document(file, (SOURCES / file).read_text(encoding="utf-8")).text
    assert LOADER.detect(text) >= 0.8


@pytest.mark.parametrize("file", OTHERS)
def test_rejects_other_kinds(file):
    text = Document(file, (SOURCES / file).read_text(encoding="utf-8")).text
    assert (LOADER.detect(text) or 0.0) < 0.5


def test_rejects_prose():
    prose = ("The river rose through the night and by morning the lower fields were under water. "
             "Farmers moved their sheep to the ridge, and the school stayed closed until Thursday. ") * 20
    assert (LOADER.detect(prose) or 0.0) < 0.5


def test_empty_text_is_rejected():
    with pytest.raises(DocumentRejected):
        LOADER.extract(Document("empty.txt", " \n\n "))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_crashes_on_any_text(text):
    score_ = LOADER.detect(text)
    assert score_ is None or 0.0 <= score_ <= 1.0
    try:
        LOADER.extract(Document("random.txt", text))
    except DocumentRejected:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "Recommendation 1: ", "Theme: ", "• ", "- ", "Cllr ", "were involved:", "£3.2m ", "12 out of the 18 ",
    "rated ‘green’", "Progress Review", "took place on 7 – 8 October 2025", "2019/20", "\n", "\n\n", ": ", " – ",
    "Jane Doe, Director, Some Council", "(S151 officer)", "1. ", "Corporate Peer Challenge in 2023",
]), max_size=40).map("".join))
def test_never_crashes_on_review_like_text(text):
    try:
        LOADER.extract(Document("random.txt", text))
    except DocumentRejected:
        pass
