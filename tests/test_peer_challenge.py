"""The Corporate Peer Challenge report loader on two invented reports in two layouts, detection both ways, noise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councilkg.errors import DocumentRejected
from councilkg.loaders import Document, detect, detection_scores
from councilkg.loaders.peer_challenge import PeerChallengeLoader
from councilkg.loaders.progress_review import ProgressReviewLoader
from councilkg.model import Extraction, PartialDate
from tests.conftest import FIXTURES, SOURCES

LOADER = PeerChallengeLoader()
PDF_LAYOUT = FIXTURES / "peer_challenge_pdf_layout.txt"  # page numbers, contents, footers, hard breaks
MARKDOWN_LAYOUT = FIXTURES / "peer_challenge_markdown_layout.md"  # headings, bold, "Recommendation N:" lines
REPORTS = [PDF_LAYOUT, MARKDOWN_LAYOUT]
PROGRESS_REVIEWS = sorted(SOURCES.glob("*progress-review*")) + [
    FIXTURES / "progress_review_invented.txt", FIXTURES / "progress_review_unseen_layout.txt"]


def document(path: Path) -> Document:
    return Document(path.name, path.read_text(encoding="utf-8"), path)


def extract(path: Path) -> Extraction:
    return LOADER.extract(document(path))


# --- detection ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_detects_peer_challenge_reports(path):
    doc = document(path)
    scores = detection_scores(doc.text)
    assert scores["peer-challenge"] >= 0.8
    assert scores["progress-review"] < 0.5 < scores["peer-challenge"]
    loader, _ = detect(doc)
    assert loader.kind == "peer-challenge"


@pytest.mark.parametrize("path", PROGRESS_REVIEWS, ids=lambda p: p.name)
def test_progress_reviews_are_not_peer_challenge_reports(path):
    doc = document(path)
    assert (LOADER.detect(doc.text) or 0) < 0.5
    assert ProgressReviewLoader().detect(doc.text) >= 0.8
    assert detect(doc)[0].kind == "progress-review"


def test_samples_keep_their_kinds():
    kinds = {p.name: detect(document(p))[0].kind for p in SOURCES.iterdir() if p.is_file()}
    assert "peer-challenge" not in kinds.values()
    for path in SOURCES.iterdir():
        scores = detection_scores(document(path).text)
        assert max(scores.values()) >= 0.8, (path.name, scores)


def test_a_progress_review_title_outweighs_the_report_structure():
    text = "LGA Corporate Peer Challenge – Progress Review\n\n" + PDF_LAYOUT.read_text(encoding="utf-8")
    assert (LOADER.detect(text) or 0) < 0.5
    assert ProgressReviewLoader().detect(text) >= 0.8


def test_detection_needs_the_peer_challenge():
    assert LOADER.detect("") is None
    assert LOADER.detect("Key recommendations\n\nScope and focus\n\nThe council should do better.") is None


# --- the PDF-style report ------------------------------------------------------------------------
def test_pdf_layout_header():
    ex = extract(PDF_LAYOUT)
    assert (ex.kind, ex.loader, ex.loader_version) == ("peer-challenge", "PeerChallengeLoader", "3")
    assert ex.title == "LGA Corporate Peer Challenge"
    assert ex.council.name == "Warrington Borough Council"
    assert (ex.date, ex.date_end) == (PartialDate(2024, 6, 11), PartialDate(2024, 6, 14))
    assert ex.date_evidence.quote == "11 – 14 June 2024"
    source = PDF_LAYOUT.read_text(encoding="utf-8")
    assert source[ex.date_evidence.start:ex.date_evidence.end] == "11 – 14 June 2024"
    assert ex.warnings == []


def test_pdf_layout_peer_team():
    peers = [(p.name, p.honorific, p.role, p.organisation, p.peer_role, p.statutory_role) for p in extract(PDF_LAYOUT).peers]
    assert peers == [
        ("Alison Marsh", None, "Chief Executive", "Stockport Metropolitan Borough Council", "Lead Chief Executive Peer",
         None),
        ("Daniel Okafor", "Cllr", "Leader", "Bolton Council", "Lead Member Peer", None),
        ("Helen Price", "Councillor", "Cabinet Member for Finance", "Shropshire Council", "Member Peer", None),
        ("Raj Mistry", None, "Director of Finance", "Cheshire East Council", "Senior Officer Peer", "S151 Officer"),
        ("Fiona Lyle", "Dr", "Director of People", "Wirral Council", "Senior Officer Peer", None),
        ("Owen Hartley", None, None, "Local Government Association", "Peer Challenge Manager", None),
    ]


def test_pdf_layout_recommendations_titles_text_and_themes():
    ex = extract(PDF_LAYOUT)
    assert [(r.number, r.title, r.theme) for r in ex.recommendations] == [
        (1, "Refresh the council plan so that it sets out a clear and shared vision for the borough",
         "Local priorities and outcomes"),
        (2, "Agree a medium-term financial strategy that closes the budget gap", "Financial planning and management"),
        (3, "Strengthen the relationship between cabinet and the corporate leadership team", "Governance and culture"),
        (4, "Invest in organisational development and workforce planning", "Capacity for improvement"),
        (5, "Build the capacity to deliver transformation at pace", "Capacity for improvement"),
    ]
    first, *_, last = ex.recommendations
    assert first.text == (
        "Refresh the council plan so that it sets out a clear and shared vision for the borough\n"
        "The current plan should be refreshed with residents and partners, so that the council's priorities and "
        "outcomes are understood by staff, members and partners.")
    assert last.text == ("Build the capacity to deliver transformation at pace. Establish a corporate programme "
                         "management office with the skills to drive the transformation programme.")
    assert first.evidence.quote.startswith("Refresh the council plan")
    assert all(r.title_variants == [] and r.finding is None for r in ex.recommendations)
    assert ex.recommendation_count == 5
    assert ex.recommendation_count_evidence.quote == "2. Key recommendations"


def test_pdf_layout_risks_money_people_organisations_events():
    ex = extract(PDF_LAYOUT)
    assert {r.notation for r in ex.risks} == {"budget-gap", "reserves-reliance", "asc-overspend", "childrens-services",
                                              "demand-pressure", "workforce"}
    [ofsted] = ex.interventions
    assert (ofsted.notation, ofsted.date, ofsted.outcome) == ("ofsted-inspection", PartialDate(2023, 3),
                                                              "requires improvement")
    assert [(f.measure, f.value, f.unit, f.period) for f in ex.financial_facts] == [
        ("budget gap", Decimal(14_200_000), "GBP", "2025/26"), ("savings made", Decimal(38_000_000), "GBP", "since 2018")]
    assert [(p.name, p.role, p.organisation, p.honorific) for p in ex.people] == [
        ("Nadia Rahman", "Principal Adviser for the North West", "Local Government Association", None)]
    assert [o.name for o in ex.organisations] == [
        "Stockport Metropolitan Borough Council", "Bolton Council", "Shropshire Council", "Cheshire East Council",
        "Wirral Council", "Local Government Association", "LGA", "Ofsted"]
    assert [(e.label, e.date, e.notation) for e in ex.events] == [
        ("Corporate Peer Challenge", PartialDate(2024, 6, 11), None),
        ("Ofsted inspection", PartialDate(2023, 3), "ofsted-inspection")]
    assert ex.claims == []


# --- the markdown-style report -------------------------------------------------------------------
def test_markdown_layout_header():
    ex = extract(MARKDOWN_LAYOUT)
    assert ex.title == "Corporate Peer Challenge – Royal Borough of Kingston upon Thames"
    assert ex.council.name == "Royal Borough of Kingston upon Thames"
    assert (ex.date, ex.date_end) == (PartialDate(2024, 12, 3), PartialDate(2024, 12, 6))
    assert ex.date_evidence.quote == "Tuesday 3 – Friday 6 December 2024"
    assert ex.warnings == []


def test_markdown_layout_peer_team():
    peers = [(p.name, p.honorific, p.role, p.organisation, p.peer_role) for p in extract(MARKDOWN_LAYOUT).peers]
    assert peers == [
        ("Sarah Bennett", None, "Chief Executive", "Luton Borough Council", None),
        ("Mark Ellis", "Cllr", "Leader", "Reading Borough Council", None),
        ("Priya Nair", None, "Executive Director of Resources", "London Borough of Lewisham", None),
        ("Tom Whitfield", None, "Assistant Director, Children's Services", "Essex County Council", None),
        ("Liam O'Connor", None, "Peer Challenge Manager", "Local Government Association", None),
    ]


def test_markdown_layout_recommendations_titles_text_and_themes():
    ex = extract(MARKDOWN_LAYOUT)
    assert [(r.number, r.title, r.theme) for r in ex.recommendations] == [
        (1, "Agree a single improvement plan", "Capacity for improvement"),
        (2, "Set out a long-term financial recovery plan", "Financial planning and management"),
        (3, "Review the scrutiny arrangements", "Governance and culture"),
        (4, "Develop the council's role as a leader of place", "Organisational and place leadership"),
    ]
    assert ex.recommendations[2].text == (
        "Review the scrutiny arrangements – Give overview and scrutiny committees the support and access to "
        "information they need to hold the executive to account.")
    # evidence points into the source, past the markdown emphasis
    source = MARKDOWN_LAYOUT.read_text(encoding="utf-8")
    span = ex.recommendations[0].evidence
    assert source[span.start:span.end].startswith("Agree a single improvement plan**")
    assert (ex.recommendation_count, ex.recommendation_count_evidence.quote) == (4, "2. Key recommendations")


def test_markdown_layout_risks_money_people_organisations_events_claims():
    ex = extract(MARKDOWN_LAYOUT)
    assert {r.notation for r in ex.risks} == {"asc-overspend", "demand-pressure", "budget-gap", "cyber-attack"}
    assert [(i.notation, i.date) for i in ex.interventions] == [("capitalisation-direction", None)]
    assert [(f.measure, f.value, f.period) for f in ex.financial_facts] == [
        ("funding gap", Decimal(9_500_000), "2025/26")]
    assert [(p.name, p.role, p.organisation) for p in ex.people] == [
        ("Joanne Whitlock", "Principal Adviser for London", "LGA")]
    assert [o.name for o in ex.organisations] == [
        "Luton Borough Council", "Reading Borough Council", "London Borough of Lewisham", "Essex County Council",
        "Local Government Association", "LGA"]
    assert [(e.label, e.date, e.notation) for e in ex.events] == [
        ("Corporate Peer Challenge", PartialDate(2024, 12, 3), None),
        ("Cyber-attack", PartialDate(2022), "cyber-attack")]
    assert [(c.subject, c.property, c.value) for c in ex.claims] == [("cyber-attack", "year", "2022")]


# --- layout variations ----------------------------------------------------------------------------
def test_contents_list_before_the_sections_and_the_date():
    """An HTML contents list names every section first; the date line comes after it."""
    text = MARKDOWN_LAYOUT.read_text(encoding="utf-8").replace(
        "On-site visit: Tuesday 3 – Friday 6 December 2024\n", "").replace(
        "**Feedback report**\n", "**Feedback report**\n\nContents\n\n1. Executive summary\n2. Key recommendations\n"
        "3. Summary of the peer challenge approach\n4. Feedback\n5. Next steps\n\n"
        "Dates of the on-site visit: 3 – 6 December 2024\n")
    ex = LOADER.extract(Document("contents.md", text))
    assert (ex.date, ex.date_end) == (PartialDate(2024, 12, 3), PartialDate(2024, 12, 6))
    assert [r.theme for r in ex.recommendations] == [
        "Capacity for improvement", "Financial planning and management", "Governance and culture",
        "Organisational and place leadership"]


def test_section_numbered_items_and_a_stated_count():
    text = PDF_LAYOUT.read_text(encoding="utf-8")
    for n, verb in enumerate(["Refresh", "Agree", "Strengthen", "Invest", "Build"], 1):
        text = text.replace(f"\n{n}. {verb} ", f"\n2.{n} {verb} ")
    text = text.replace("the peer team's key recommendations", "the peer team's six key recommendations")
    ex = LOADER.extract(Document("numbered.txt", text))
    assert [r.number for r in ex.recommendations] == [1, 2, 3, 4, 5]
    assert ex.recommendations[1].title == "Agree a medium-term financial strategy that closes the budget gap"
    assert ex.recommendation_count == 5
    assert ex.warnings == ["the text counts 6 key recommendations but lists 5"]


def test_a_feedback_section_naming_a_recommendation_sets_its_theme():
    text = MARKDOWN_LAYOUT.read_text(encoding="utf-8").replace(
        "Performance reporting is improving.", "Performance reporting is improving (see recommendation 3).")
    ex = LOADER.extract(Document("named.md", text))
    assert ex.recommendations[2].theme == "Local priorities and outcomes"


def test_no_theme_without_a_clear_match():
    text = MARKDOWN_LAYOUT.read_text(encoding="utf-8").replace(
        "Recommendation 4: Develop the council's role as a leader of place** – Build on strong partnerships with health "
        "and the voluntary sector to agree a shared ambition for the borough with partners.",
        "Recommendation 4: Celebrate success** – Tell residents about what has been achieved.")
    ex = LOADER.extract(Document("unmatched.md", text))
    assert (ex.recommendations[3].title, ex.recommendations[3].theme) == ("Celebrate success", None)


def test_empty_text_is_rejected():
    with pytest.raises(DocumentRejected):
        LOADER.extract(Document("empty.txt", "  \n"))


# --- noise ------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_detect_and_extract_never_crash(text):
    score = LOADER.detect(text)
    assert score is None or 0 <= score <= 1
    try:
        ex = LOADER.extract(Document("noise.txt", text))
    except DocumentRejected:
        return
    assert ex.kind == "peer-challenge"


pieces = st.sampled_from(PDF_LAYOUT.read_text(encoding="utf-8").splitlines()
                         + MARKDOWN_LAYOUT.read_text(encoding="utf-8").splitlines())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(pieces, st.text(max_size=40)), max_size=60).map("\n".join))
def test_shuffled_report_lines_never_crash(text):
    try:
        ex = LOADER.extract(Document("shuffled.txt", text))
    except DocumentRejected:
        return
    assert all(r.number >= 1 and r.title for r in ex.recommendations)


# --- end to end ---------------------------------------------------------------------------------------
def test_load_into_the_graph(kg, tmp_path):
    report = kg.load(REPORTS)
    assert not report.rejected, [f.reason for f in report.rejected]
    documents = {row["document"]: row for row in kg.run("documents").values()}
    assert documents[PDF_LAYOUT.name]["kind"] == "peer-challenge"
    assert documents[PDF_LAYOUT.name]["council"] == "Warrington Borough Council"
    assert documents[PDF_LAYOUT.name]["date"] == "2024-06-11"
    assert documents[MARKDOWN_LAYOUT.name]["kind"] == "peer-challenge"
    assert documents[MARKDOWN_LAYOUT.name]["council"] == "Royal Borough of Kingston upon Thames"
    rows = [(r["council"], int(r["number"]), r["title"], r["theme"]) for r in kg.run("recommendations").values()]
    assert ("Warrington Borough Council", 2, "Agree a medium-term financial strategy that closes the budget gap",
            "Financial planning and management") in rows
    assert ("Royal Borough of Kingston upon Thames", 3, "Review the scrutiny arrangements",
            "Governance and culture") in rows
    assert len(rows) == 9
    peers = {(r["person"], r["organisation"]) for r in kg.run("peers").values()}
    assert ("Raj Mistry", "Cheshire East Council") in peers
