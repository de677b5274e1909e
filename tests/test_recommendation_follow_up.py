"""``recommendation-follow-up`` joins a Corporate Peer Challenge report with the progress review that follows it
up, although the review names the challenge by its month and the report by its days."""

from __future__ import annotations

from pathlib import Path

import pytest

from councilkg.graph import KnowledgeGraph
from councilkg.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
COUNCIL = "Royal Borough of Kingston upon Thames"


def progress_review(challenge_month: str) -> str:
    """A progress review of Kingston (the challenge report's council) whose challenge took place in ``challenge_month``."""
    text = (FIXTURES / "progress_review_unseen_layout.txt").read_text(encoding="utf-8")
    return (text.replace("Stockport Metropolitan Borough Council", COUNCIL)
            .replace("in June 2023", f"in {challenge_month}")
            .replace("12 – 13 March 2025", "10 – 11 March 2026").replace("12 and 13 March 2025", "10 and 11 March 2026"))


def rows(tmp_path, challenge_month: str, council: str | None = None) -> list[dict]:
    sources = tmp_path / "sources"
    sources.mkdir(parents=True)
    (sources / "kingston-cpc.md").write_bytes((FIXTURES / "peer_challenge_markdown_layout.md").read_bytes())
    (sources / "kingston-progress-review.txt").write_text(progress_review(challenge_month), encoding="utf-8")
    kg = KnowledgeGraph(Settings(store=str(tmp_path / "store"), progress=False))
    try:
        report = kg.load([sources])
        assert [f.status for f in report.files] == ["loaded", "loaded"]
        return kg.run("recommendation-follow-up", {"council": council} if council else {}).values()
    finally:
        kg.close()


def test_a_challenge_report_meets_the_progress_review_that_follows_it_up(tmp_path):
    found = rows(tmp_path, "December 2024")
    assert [(r["number"], r["title"], r["progressTitle"]) for r in found] == [
        ("1", "Agree a single improvement plan", "Medium term financial plan"),
        ("2", "Set out a long-term financial recovery plan", "Children's services improvement"),
        ("3", "Review the scrutiny arrangements", "Digital transformation"),
    ]
    first = found[0]
    assert (first["council"], first["challengeDate"], first["progressDate"]) == (COUNCIL, "2024-12-03", "2026-03-10")
    assert first["finding"] == "The peer team found good progress."
    assert (first["challengeDocument"], first["progressDocument"]) == ("kingston-cpc.md", "kingston-progress-review.txt")


@pytest.mark.parametrize("month", ["November 2024", "December 2023"])
def test_a_progress_review_of_another_challenge_does_not_meet_it(tmp_path, month):
    assert rows(tmp_path, month) == []


def test_bound_to_a_council(tmp_path):
    """Bound by a council's name as written, the rows of that council; another council gets none."""
    assert len(rows(tmp_path / "kingston", "December 2024", council="Kingston upon Thames")) == 3
    assert rows(tmp_path / "leeds", "December 2024", council="Leeds City Council") == []
