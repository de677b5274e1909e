"""Shared text handling: cleaning keeps a faithful map to the source; dates and money parse in every style."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from councilkg.loaders._text import (
    INLINE_TAG, MARKDOWN_EMPHASIS, CleanText, find_dates, find_money, find_percentages, parse_date, split_honorific, squash,
    strip_bullet,
)
from councilkg.model import PartialDate

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


STYLES = [
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.strftime('%A')} {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)), st.sampled_from(range(len(STYLES))))
def test_dates_in_every_style_parse_back(date, style):
    text = f"The review took place on {STYLES[style](date)} at the council."
    assert parse_date(text) == PartialDate(date.year, date.month, date.day)


def test_partial_dates_and_spans():
    assert parse_date("during November 2024") == PartialDate(2024, 11)
    assert parse_date("two years after the 2023 CPC") == PartialDate(2023)
    span = find_dates("Feedback: 7 – 8 October 2025")[0]
    assert (span.date, span.end_date) == (PartialDate(2025, 10, 7), PartialDate(2025, 10, 8))
    span = find_dates("on 7 and 8 October 2025, two years")[0]
    assert (span.date, span.end_date) == (PartialDate(2025, 10, 7), PartialDate(2025, 10, 8))
    assert find_dates("rated 7:35pm in 45 minutes") == []
    for text, first, last in [
        ("Tuesday 4th and Wednesday 5th March 2025", (2025, 3, 4), (2025, 3, 5)),
        ("30 September - 2 October 2025", (2025, 9, 30), (2025, 10, 2)),
        ("9th-10th July 2024", (2024, 7, 9), (2024, 7, 10)),
    ]:
        span = find_dates(text)[0]
        assert (span.date, span.end_date) == (PartialDate(*first), PartialDate(*last)), text


def test_money_and_percentages():
    amounts = find_money("£54m (£22m for 2023/24 and £32m 2024/45), £18.2m, £60,000 per annum, £1.5bn, £500k")
    assert [a.value for a in amounts] == [Decimal(54_000_000), Decimal(22_000_000), Decimal(32_000_000),
                                          Decimal(18_200_000), Decimal(60_000), Decimal(1_500_000_000),
                                          Decimal(500_000)]
    assert [p.value for p in find_percentages("18 per cent, 61.29% and 5percent")] == [18, Decimal("61.29"), 5]


@given(st.text())
def test_squash_and_honorifics_are_idempotent(text):
    assert squash(squash(text)) == squash(text)
    title, name = split_honorific(text)
    assert split_honorific(name)[1] == name or split_honorific(name)[0] is not None


def test_honorifics_are_split():
    assert split_honorific("Cllr Claire Holland") == ("Cllr", "Claire Holland")
    assert split_honorific("Councillor  Jim McKenna") == ("Councillor", "Jim McKenna")
    assert split_honorific("Dr Sir John Smith") == ("Dr", "Sir John Smith")
    assert split_honorific("Stuart Reid") == (None, "Stuart Reid")


PDF_NOISE = (
    "LGA Corporate Peer Challenge\n\n1.\tIntroduction\t. 3\n2.\tSummary\t. 4\n\n"
    "For this review, the following members were\n\n\n\ninvolved:\n\n"
    "The council has a clear narrative and noted that conversations are ongoing with the\n\n7\n\n\n"
    "Department for Levelling Up.\n\nFooter company number 123\n\nMore text.\n\nFooter company number 123\n"
)


def test_cleaning_removes_furniture_and_joins_hard_breaks():
    clean = CleanText(PDF_NOISE)
    assert "Introduction\t. 3" not in clean.text
    assert "members were involved:" in clean.text
    assert "ongoing with the Department for Levelling Up." in clean.text
    assert "\n7\n" not in clean.text
    assert "company number" not in clean.text
    start = clean.text.index("members were involved")
    span = clean.span(start, start + len("members were involved"))
    assert PDF_NOISE[span.start:span.end].startswith("members were")
    assert PDF_NOISE[span.start:span.end].endswith("involved")
    assert span.line == PDF_NOISE[: span.start].count("\n") + 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_every_clean_span_points_at_its_source(text):
    clean = CleanText(text)
    for m in re.finditer(r"\S+", clean.text):
        span = clean.span(m.start(), m.end())
        source = text[span.start:span.end]
        # a word of the clean text is the same word of the source, less emphasis markers and inline tags
        assert squash(INLINE_TAG.sub("", MARKDOWN_EMPHASIS.sub("", source))) == squash(
            INLINE_TAG.sub("", MARKDOWN_EMPHASIS.sub("", span.quote))
        )
        assert 0 <= span.start <= span.end <= len(text)


def test_pdf_symbol_bullets_and_organisation_names_broken_across_lines():
    source = ("the following members were involved:\n\n"
              "\uf0b7 Sam Smith, Director of Resources, South Tyneside Metropolitan Borough\nCouncil\n"
              "\uf0b7 Jo Roe, Chief Executive, Leeds City Council\n")
    clean = CleanText(source)
    assert "Metropolitan Borough Council\n" in clean.text
    assert [strip_bullet(line) for line in clean.text.splitlines()[2:]] == [
        "Sam Smith, Director of Resources, South Tyneside Metropolitan Borough Council",
        "Jo Roe, Chief Executive, Leeds City Council"]
