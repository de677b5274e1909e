"""The committee minutes loader against the gold seeds, hand-read values and an invented council."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councilkg.errors import DocumentRejected
from councilkg.loaders import Document
from councilkg.loaders._people import office_key
from councilkg.loaders.cqc_assessment import CqcAssessmentLoader
from councilkg.loaders.minutes import MinutesLoader
from tests.gold import SOURCES, gold_document, norm, score

SAMPLE = "hackney-scrutiny-panel-ceo-question-time.txt"
FIXTURES = Path(__file__).parent / "fixtures"
# The gold lists only the contract's risk notations; concepts added later are checked by hand below.
CONTRACT_RISKS = {
    "cyber-attack", "asc-overspend", "budget-gap", "reserves-reliance", "childrens-services", "workforce",
    "governance-culture", "data-loss", "demand-pressure", "political-culture",
}


def load(path: Path, text: str | None = None):
    document = Document(path.name, text if text is not None else path.read_text(encoding="utf-8"), path)
    return document, MinutesLoader().extract(document)


@pytest.fixture(scope="module")
def sample():
    return load(SOURCES / SAMPLE)


@pytest.fixture(scope="module")
def gold():
    return gold_document(SAMPLE)


def _check(result) -> None:
    print(result)
    assert result.precision >= 0.95 and result.recall >= 0.95, str(result)


def _person_key(name, role) -> str:
    return norm(name) if name else office_key(role or "")


# --- gold precision and recall ---------------------------------------------------------------
def test_people(sample, gold):
    _, ex = sample
    found = {_person_key(p.name, p.role) for p in ex.people}
    required = {_person_key(p["name"], p["role"]) for p in gold["people_mentioned"] if not p.get("optional")}
    optional = {_person_key(p["name"], p["role"]) for p in gold["people_mentioned"] if p.get("optional")}
    _check(score("people", found, required, optional))
    roles = {_person_key(p.name, p.role): p.role for p in ex.people}
    assert roles["tim shields"] == "previous CEO"
    assert roles["chief executive"] == "Chief Executive Officer (CEO)"


def test_risks(sample, gold):
    _, ex = sample
    found = {r.notation for r in ex.risks if r.notation in CONTRACT_RISKS}
    required = {r["notation"] for r in gold["risks"] if not r.get("optional")}
    optional = {r["notation"] for r in gold["risks"] if r.get("optional")}
    _check(score("risks", found, required, optional))


def test_interventions(sample, gold):
    _, ex = sample
    found = {i.notation for i in ex.interventions}
    _check(score("interventions", found, {i["notation"] for i in gold["interventions"]}))


def test_financial_facts(sample, gold):
    _, ex = sample
    _check(score("financial facts", {f.measure for f in ex.financial_facts}, {f["measure"] for f in gold["financial_facts"]}))


def test_metrics(sample, gold):
    _, ex = sample
    found = {(o.value, o.comparator_value) for o in ex.observations}
    wanted = {(Decimal(str(m["value"])), Decimal(str(m["comparator_value"])) if "comparator_value" in m else None)
              for m in gold["metrics"]}
    wanted |= {(Decimal(str(m["value"])), Decimal(str(m["target"]))) for m in gold["metrics"] if "target" in m}
    result = score("metrics (value, comparator value)", found & wanted | (found - wanted), wanted)
    print(result)
    assert result.recall == 1.0, str(result)
    repairs = [o for o in ex.observations if o.value == 67 and o.comparator in ("previously", "target")]
    assert {o.comparator_value for o in repairs} == {57, 80}


def test_not_expected(sample, gold):
    _, ex = sample
    assert ex.date is None and ex.date_evidence is None  # no meeting date is stated
    assert not any(p.name and "chief executive" in office_key(p.role or "") for p in ex.people)
    cyber = next(r for r in ex.risks if r.notation == "cyber-attack")
    assert cyber.date is None and not [e for e in ex.events if e.notation == "cyber-attack"]
    assert not [c for c in ex.claims if c.subject == "cyber-attack"]


# --- ten more values read by hand -----------------------------------------------------------
def test_hand_read_values(sample, gold):
    _, ex = sample
    assert ex.council.name == "Hackney"  # 1
    assert "Chief Executive time in Hackney" in ex.council.evidence.quote  # 2
    assert ex.committee == "Scrutiny Panel"  # 3
    assert ex.title == ex.agenda_item == "Chief Executive Question Time"  # 4 without the "(7:35pm)"
    assert [norm(t.evidence.quote) for t in ex.topics] == [norm(t) for t in gold["topics"]]  # 5
    obs = {(o.value, o.comparator): o for o in ex.observations}
    assert obs[(Decimal(65), "three years ago")].comparator_value == 68  # 6
    assert obs[(Decimal(67), "LGA average")].direction == "far higher"  # 7
    assert obs[(Decimal(8), "previously")].unit == "minutes"  # 8
    assert obs[(Decimal(67), "immediately after the pandemic")].comparator_value == 53  # 9
    risks = {r.notation: r for r in ex.risks}
    assert "cost of living crisis" in risks["cost-of-living"].evidence.quote  # 10
    assert "housing repairs" in risks["housing-repairs"].evidence.quote  # 11
    ofsted = next(i for i in ex.interventions if i.notation == "ofsted-inspection")
    assert ofsted.date is None and "recent assessment by Ofsted" in ofsted.evidence.quote  # 12
    assert {o.name for o in ex.organisations} >= {"Homerton Hospital", "BCU Met Police Command"}  # 13


def test_every_fact_quotes_the_source(sample):
    document, ex = sample
    for fact in [*ex.observations, *ex.people, *ex.risks, *ex.interventions, *ex.topics, *ex.organisations]:
        span = fact.evidence
        assert span.quote and 0 <= span.start < span.end <= len(document.source)


# --- an edited copy and an invented council -------------------------------------------------
def test_edited_copy_yields_the_edited_facts():
    text = (SOURCES / SAMPLE).read_text(encoding="utf-8").replace("Hackney", "Brackenford")
    text = text.replace("Tim Shields", "Alys Morgan").replace("(67%) than the LGA average (48%)",
                                                                  "(70%) than the LGA average (50%)")
    _, ex = load(SOURCES / "edited.txt", text)
    assert ex.council.name == "Brackenford"
    assert "alys morgan" in {norm(p.name) for p in ex.people if p.name}
    assert any(o.value == 70 and o.comparator_value == 50 for o in ex.observations)


def test_invented_council_fixture():
    document, ex = load(FIXTURES / "minutes_wexbridge_overview_scrutiny.txt")
    assert MinutesLoader().detect(document.text) >= 0.8
    assert (CqcAssessmentLoader().detect(document.text) or 0) < 0.5
    assert ex.council.name == "Wexbridge"
    assert ex.committee == "Overview and Scrutiny Committee"
    assert ex.date.iso() == "2025-01-14"
    assert ex.title == "Housing Performance Update" and ex.agenda_item == "6. Housing Performance Update"
    assert [t.evidence.quote for t in ex.topics] == ["The repairs backlog and how it would be cleared",
                                                     "Damp and mould in council homes"]
    people = {(p.name, p.role) for p in ex.people}
    assert {("Jane Okafor", "Chair"), ("Priya Nandra", "Cabinet Member for Housing"), ("Ben Hart", None),
            (None, "Director of Housing Services")} <= people
    assert (None, "Chair") not in people  # the Chair is named
    obs = {(o.value, o.comparator, o.comparator_value) for o in ex.observations}
    assert {(71, "national average", 66), (59, "previously", 48), (59, "target", 75), (2900, "April 2024", 4200),
            (92, "a year earlier", 85)} <= obs
    assert {"housing-repairs", "cost-of-living"} <= {r.notation for r in ex.risks}


# --- detection and robustness ---------------------------------------------------------------
def test_detection():
    loader = MinutesLoader()
    assert loader.detect(Document(SAMPLE, (SOURCES / SAMPLE).read_text(encoding="utf-8")).text) >= 0.8
    for path in SOURCES.iterdir():
        if path.name != SAMPLE:
            assert (loader.detect(Document(path.name, path.read_text(encoding="utf-8")).text) or 0) < 0.5, path.name


def test_text_of_neither_kind_is_rejected():
    from councilkg.loaders import detect

    text = "Shopping list\n\nEggs, flour and milk. Collect the parcel on 3 May 2025.\n"
    with pytest.raises(DocumentRejected, match="not a recognised document kind"):
        detect(Document("list.txt", text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_crashes(text):
    loader = MinutesLoader()
    score_ = loader.detect(text)
    assert score_ is None or 0 <= score_ <= 1
    try:
        loader.extract(Document("random.txt", text))
    except DocumentRejected:
        pass
