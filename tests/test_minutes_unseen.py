"""Minutes in a layout none of the samples use (a full meeting, place named only by its town hall)."""

from __future__ import annotations

from pathlib import Path

from councilkg.loaders import Document, detect
from councilkg.model import PartialDate

FIXTURE = Path(__file__).parent / "fixtures" / "minutes_unseen_layout.txt"


def extraction():
    document = Document(FIXTURE.name, FIXTURE.read_text(encoding="utf-8"))
    loader, _ = detect(document)
    return loader.extract(document)


def test_council_committee_date_and_item():
    x = extraction()
    assert x.kind == "minutes"
    assert x.council.name == "Camden"
    assert x.council.evidence.quote.startswith("Minutes of the meeting")
    assert x.committee == "Resources and Corporate Performance Scrutiny Committee"
    assert x.date == PartialDate(2025, 1, 15)
    assert x.title == "Budget monitoring 2024/25 – Quarter 2"


def test_people_money_risks_and_statistics():
    x = extraction()
    people = {(p.name, p.role) for p in x.people}
    assert {("Amy Smith", "Chair"), ("Jo Patel", "Executive Director Corporate Services"),
            ("Dan Green", "Cabinet Member for Finance")} <= people
    assert [(f.measure, int(f.value), f.period) for f in x.financial_facts] == [
        ("overspend", 8_200_000, "2024/25"), ("reserves", 5_000_000, None)]
    assert {r.notation for r in x.risks} == {"asc-overspend", "reserves-reliance"}  # not another council's cyber-attack
    [satisfaction] = [o for o in x.observations if o.indicator == "resident satisfaction"]
    assert (satisfaction.value, satisfaction.comparator_value) == (61, 66)
