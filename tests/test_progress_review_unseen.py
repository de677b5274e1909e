"""A progress review in a layout none of the samples use, written for the tests: its facts come out."""

from __future__ import annotations

from pathlib import Path

from councilkg.loaders import Document, detect
from councilkg.model import PartialDate

FIXTURE = Path(__file__).parent / "fixtures" / "progress_review_unseen_layout.txt"


def extraction():
    document = Document(FIXTURE.name, FIXTURE.read_text(encoding="utf-8"))
    loader, _ = detect(document)
    return loader.extract(document)


def test_unseen_layout_header_dates_and_council():
    x = extraction()
    assert x.kind == "progress-review"
    assert x.council.name == "Stockport Metropolitan Borough Council"
    assert (x.date, x.date_end) == (PartialDate(2025, 3, 12), PartialDate(2025, 3, 13))
    assert x.original_review_date == PartialDate(2023, 6)


def test_unseen_layout_peer_team_introduced_by_a_sentence():
    peers = [(p.name, p.honorific, p.role, p.organisation, p.statutory_role) for p in extraction().peers]
    assert peers == [
        ("Jane Doe", "Councillor", "Leader", "Wigan Council", None),
        ("John Smith", None, "Chief Executive", "Trafford Council", None),
        ("Priya Patel", None, "Director of Finance", "Leeds City Council", "S151 Officer"),
        ("Tom Brown", None, "Peer Challenge Manager", "LGA", None),
    ]


def test_unseen_layout_recommendations_risks_money_and_self_assessment():
    x = extraction()
    assert [(r.number, r.title) for r in x.recommendations] == [
        (1, "Medium term financial plan"), (2, "Children's services improvement"), (3, "Digital transformation")]
    assert {r.notation for r in x.risks} >= {"budget-gap", "reserves-reliance", "childrens-services", "workforce",
                                             "cyber-attack"}
    [ofsted] = [i for i in x.interventions if i.notation == "ofsted-inspection"]
    assert (ofsted.date, ofsted.outcome) == (PartialDate(2022, 10), "requires improvement")
    assert [(f.measure, f.period, int(f.value)) for f in x.financial_facts] == [
        ("budget gap", "2026/27", 23_500_000), ("savings agreed", "2025/26", 12_000_000)]
    assert x.self_assessment.counts == {"green": 5, "amber": 4, "total": 9}
    assert [(p.name, p.role) for p in x.people if p.name == "Sarah Green"] == [("Sarah Green", "Principal Adviser")]


def test_a_council_name_with_commas_in_the_title():
    """Names such as "Bournemouth, Christchurch and Poole Council" hold commas."""
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace("Corporate Peer Challenge Progress Review\n\nStockport Metropolitan Borough Council\n",
                        "LGA Corporate Peer Challenge – Progress review: Bournemouth, Christchurch and Poole Council\n")
    text = text.replace("Stockport Metropolitan Borough Council", "the council")
    document = Document("bcp-progress-review.txt", text)
    loader, _ = detect(document)
    x = loader.extract(document)
    assert x.council.name == "Bournemouth, Christchurch and Poole Council"
    assert document.text[x.council.evidence.start:x.council.evidence.end] == x.council.name


def test_a_council_name_with_commas_named_only_in_the_thanks():
    """No title line names the council: "would like to thank <council> for" does, commas and all, and a
    comma before a lower-case word ("Cllr Jones, the Leader") still ends a name."""
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace("Corporate Peer Challenge Progress Review\n\nStockport Metropolitan Borough Council\n",
                        "Feedback: 12 - 13 March 2025\n")
    text = text.replace("Stockport Metropolitan Borough Council", "the council")
    text = text.replace("The Progress Review is an integral part",
                        "The LGA would like to thank Cllr Ann Jones, the Leader, for her time. The LGA would like to"
                        " thank Bournemouth, Christchurch and Poole Council for its commitment. The Progress Review"
                        " is an integral part")
    document = Document("bcp-progress-review.txt", text)
    loader, _ = detect(document)
    x = loader.extract(document)
    assert x.kind == "progress-review"
    assert x.council.name == "Bournemouth, Christchurch and Poole Council"
    assert x.council.evidence.quote == x.council.name
    assert document.source[x.council.evidence.start:x.council.evidence.end] == x.council.name
