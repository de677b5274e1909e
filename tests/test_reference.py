"""Reference data (councils.csv, organisations.csv) and the name resolvers in councilkg.reference."""

from __future__ import annotations

import doctest
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from councilkg import reference
from councilkg.reference import (
    council_by_gss,
    councils,
    find_councils,
    find_organisations,
    normalise,
    organisations,
    resolve_council,
    resolve_organisation,
)
from tests.gold import seeds

# Types of gold organisations that are national bodies (as opposed to local partners or council bodies).
NATIONAL_TYPES = {"national body", "government department", "regulator", "inspectorate", "external reviewer"}

GSS_PREFIX_TYPES = {
    "E06": {"unitary", "sui-generis"},
    "E07": {"district"},
    "E08": {"metropolitan-borough"},
    "E09": {"london-borough", "sui-generis"},
    "E10": {"county"},
    "E47": {"combined-authority"},
}


def by_type(kind: str) -> list:
    return [c for c in councils() if c.type == kind]


# --- the data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["councils.csv", "organisations.csv"])
def test_csv_header_names_source_and_date(name):
    text = (reference._reference_dir() / name).read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith("#"), "the file opens with its comment block"
    assert any("Source:" in line for line in header)
    assert any("2026-11-22" in line for line in header)


def test_every_london_code_present_exactly_once():
    codes = Counter(c.gss for c in councils() if c.gss.startswith("E09"))
    assert codes == Counter(f"E09{n:06d}" for n in range(1, 34))
    assert council_by_gss()["E09000001"].type == "sui-generis"
    assert {c.gss for c in by_type("london-borough")} == {f"E09{n:06d}" for n in range(2, 34)}


def test_counts_per_type():
    counts = Counter(c.type for c in councils())
    assert counts["metropolitan-borough"] == 36
    assert counts["county"] == 21
    assert counts["london-borough"] == 32
    assert counts["unitary"] == 62  # plus the Isles of Scilly, sui generis
    assert counts["district"] == 164
    assert counts["combined-authority"] >= 10


@pytest.mark.parametrize(
    "gss, name",
    [
        ("E06000063", "Cumberland Council"),
        ("E06000064", "Westmorland and Furness Council"),
        ("E06000065", "North Yorkshire Council"),
        ("E06000066", "Somerset Council"),
        ("E06000042", "Milton Keynes City Council"),
        ("E06000052", "Cornwall Council"),
        ("E10000017", "Lancashire County Council"),
        ("E08000023", "South Tyneside Metropolitan Borough Council"),
        ("E08000030", "Walsall Metropolitan Borough Council"),
        ("E09000020", "Royal Borough of Kensington and Chelsea"),
        ("E47000009", "West of England Combined Authority"),
    ],
)
def test_known_codes(gss, name):
    assert council_by_gss()[gss].name == name


def test_abolished_councils_absent():
    # The 2023 reorganisations abolished these counties; their areas are now unitary councils.
    for gss in ("E10000006", "E10000023", "E10000027", "E10000002", "E10000021", "E10000009"):
        assert gss not in council_by_gss()


def test_codes_well_formed_and_typed():
    for council in councils():
        assert re.fullmatch(r"E(06|07|08|09|10|47)\d{6}", council.gss), council
        assert council.type in GSS_PREFIX_TYPES[council.gss[:3]], council
        assert council.wikidata is None or re.fullmatch(r"Q\d+", council.wikidata), council


def test_no_duplicate_codes():
    codes = Counter(c.gss for c in councils())
    assert [gss for gss, n in codes.items() if n > 1] == []


def test_no_normalised_name_shared_by_two_councils():
    owner: dict[str, str] = {}
    clashes = []
    for council in councils():
        for name in council.names:
            key = normalise(name)
            if owner.setdefault(key, council.gss) != council.gss:
                clashes.append((key, owner[key], council.gss))
    assert clashes == []


def test_no_normalised_name_shared_by_two_organisations():
    owner: dict[str, str] = {}
    clashes = []
    for org in organisations():
        for name in org.names:
            key = normalise(name)
            if owner.setdefault(key, org.name) != org.name:
                clashes.append((key, owner[key], org.name))
    assert clashes == []


def test_london_boroughs_carry_the_common_forms():
    hackney = council_by_gss()["E09000012"]
    keys = {normalise(n) for n in hackney.names}
    for form in ("Hackney Council", "Hackney", "LB Hackney", "London Borough of Hackney Council"):
        assert normalise(form) in keys


# --- resolving councils -------------------------------------------------------------------------


def gold_aliases():
    for council in seeds()["councils"]:
        for alias in sorted({council["name"], *council["aliases"]}):
            yield pytest.param(alias, council["gss"], council["name"], id=f"{council['gss']}:{alias}")


@pytest.mark.parametrize("alias, gss, name", list(gold_aliases()))
def test_gold_council_aliases_resolve(alias, gss, name):
    council = resolve_council(alias)
    assert council is not None, alias
    assert (council.gss, council.name) == (gss, name)


def gold_council_mentions():
    for document in seeds()["documents"]:
        for org in document.get("organisations_mentioned") or []:
            if org["type"] in {"council", "combined authority"}:
                yield pytest.param(org["name"], org.get("canonical", org["name"]), id=org["name"])


@pytest.mark.parametrize("written, canonical", list(gold_council_mentions()))
def test_gold_council_mentions_resolve(written, canonical):
    assert resolve_council(written).name == canonical


@pytest.mark.parametrize(
    "written, gss",
    [
        ("London Borough of Havering Council", "E09000016"),
        ("LB Bromley", "E09000006"),
        ("Tower Hamlets Council", "E09000030"),
        ("South Tyneside Metropolitan Borough", "E08000023"),
        ("Ealing Council", "E09000009"),
        ("Newham Council", "E09000025"),
        ("  the  london borough of HACKNEY.", "E09000012"),
        ("Hackney’s", "E09000012"),
        ("Hammersmith & Fulham Council", "E09000013"),
        ("King’s Lynn and West Norfolk Borough Council", "E07000146"),
        ("Kings Lynn & West Norfolk", "E07000146"),
        ("E09000012", "E09000012"),
        ("North Yorkshire County Council", "E06000065"),
        ("Kingston upon Hull, City of", "E06000010"),
        # generic fallback: unknown wording around a known place
        ("Metropolitan Borough of Walsall", "E08000030"),
        ("Havering Borough Council", "E09000016"),
        ("Cornwall County Council", "E06000052"),
        ("Durham", "E06000047"),
        ("Royal Borough of Greenwich Borough Council", "E09000011"),
    ],
)
def test_resolve_council_forms(written, gss):
    council = resolve_council(written)
    assert council is not None, written
    assert council.gss == gss


@pytest.mark.parametrize(
    "written",
    ["", "   ", "Council", "City Council", "London Council", "Gotham City Council", "Ofsted", "E09999999"],
)
def test_resolve_council_unknown(written):
    assert resolve_council(written) is None


# --- resolving organisations --------------------------------------------------------------------


def gold_national_bodies():
    for document in seeds()["documents"]:
        for org in document.get("organisations_mentioned") or []:
            if org["type"] in NATIONAL_TYPES:
                canonical = org.get("canonical", org["name"])
                for written in sorted({org["name"], canonical, *(org.get("aliases_in_document") or [])}):
                    yield pytest.param(written, canonical, id=f"{document['file'][:12]}:{written}")
    for shared in seeds()["shared_organisations"]:
        if resolve_council(shared["organisation"]) is None:
            yield pytest.param(shared["organisation"], shared["organisation"], id=shared["organisation"])


MHCLG = "Ministry of Housing, Communities and Local Government"
EXPECTED_CANONICAL = {
    # The gold names bodies as the document does; DLUHC is now MHCLG, the ICO is the Information
    # Commissioner's Office.
    "Department for Levelling Up, Housing and Communities": MHCLG,
    "Information Commissioner": "Information Commissioner's Office",
}


@pytest.mark.parametrize("written, canonical", list(gold_national_bodies()))
def test_gold_national_bodies_resolve(written, canonical):
    org = resolve_organisation(written)
    assert org is not None, written
    assert org.name == EXPECTED_CANONICAL.get(canonical, canonical)


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("the LGA", "Local Government Association"),
        ("Local Government Association (LGA)", "Local Government Association"),
        ("LGA’s", "Local Government Association"),
        ("IDeA", "Improvement and Development Agency for Local Government"),
        ("MHCLG", "Ministry of Housing, Communities and Local Government"),
        ("DLUHC", "Ministry of Housing, Communities and Local Government"),
        ("Department for Levelling Up, Housing & Communities (DLUHC)", MHCLG),
        ("DfE", "Department for Education"),
        ("DHSC", "Department of Health and Social Care"),
        ("CQC", "Care Quality Commission"),
        ("Office for Standards in Education, Children’s Services and Skills", "Ofsted"),
        ("CfGS", "Centre for Governance and Scrutiny"),
        ("MHRA", "Medicines and Healthcare products Regulatory Agency"),
        ("Medical Health and Regulatory Agency", "Medicines and Healthcare products Regulatory Agency"),
        ("NHS England", "NHS England"),
        ("Home Office", "Home Office"),
        ("HM Treasury", "HM Treasury"),
        ("Local Government and Social Care Ombudsman", "Local Government and Social Care Ombudsman"),
        ("the Audit Commission", "Audit Commission"),
        ("PSAA", "Public Sector Audit Appointments"),
        ("Chartered Institute of Public Finance and Accountancy", "CIPFA"),
        ("SOLACE", "Solace"),
        ("Association of Directors of Adult Social Services", "ADASS"),
        ("Skills for Care", "Skills for Care"),
        ("Healthwatch", "Healthwatch"),
    ],
)
def test_resolve_organisation_forms(written, canonical):
    org = resolve_organisation(written)
    assert org is not None, written
    assert org.name == canonical


def test_renamed_department_is_one_organisation():
    dluhc = resolve_organisation("Department for Levelling Up, Housing and Communities")
    assert dluhc is resolve_organisation("MHCLG") is resolve_organisation("DLUHC")
    assert dluhc.type == "government department"


@pytest.mark.parametrize(
    "written", ["", "OneSource", "Panorama", "Hackney Council", "Ministry of Silly Walks"]
)
def test_resolve_organisation_unknown(written):
    assert resolve_organisation(written) is None


# --- normalising (properties) -------------------------------------------------------------------

ALL_NAMES = [n for c in councils() for n in c.names] + [n for o in organisations() for n in o.names]
NAMEISH = st.one_of(
    st.text(),
    st.sampled_from(ALL_NAMES).map(str.upper),
    st.builds(
        lambda pre, name, post: pre + name + post,
        st.sampled_from(["", "the ", "The  ", " THE the ", "\u00a0"]),
        st.sampled_from([n for c in councils() for n in c.names]),
        st.sampled_from(["", ".", " ,", "’s", "!\n", " Council"]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(NAMEISH)
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=300, deadline=None)
@given(NAMEISH)
def test_resolve_council_same_after_normalising(text):
    assert resolve_council(text) == resolve_council(normalise(text))


@settings(max_examples=300, deadline=None)
@given(NAMEISH)
def test_resolve_organisation_same_after_normalising(text):
    # "Name (ACR)" is split on brackets before normalising; without brackets the key decides.
    if "(" not in text:
        assert resolve_organisation(text) == resolve_organisation(normalise(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_find_never_crashes_and_offsets_hold(text):
    for council, start, end in find_councils(text, bare=True):
        assert 0 <= start < end <= len(text)
        assert resolve_council(text[start:end]) == council
    for _, start, end in find_organisations(text):
        assert 0 <= start < end <= len(text)


# --- finding in free text -----------------------------------------------------------------------


def found(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(c.gss, text[s:e]) for c, s, e in find_councils(text, **kwargs)]


def test_find_gold_evidence():
    text = "Shoreditch and other business districts, like the City of London, may be able to offer"
    assert found(text) == [("E09000001", "City of London")]
    text = "the shared service arrangement with Newham Council (OneSource)"
    assert found(text) == [("E09000025", "Newham Council")]
    text = "South Tyneside Metropolitan Borough"
    assert found(text) == [("E08000023", text)]


def test_find_prefers_the_longest_name():
    text = "Feedback from London Borough of Havering Council staff"
    assert found(text) == [("E09000016", "London Borough of Havering Council")]


def test_find_bare_place_names_need_context():
    text = (
        "one looking at the needs of People with learning disabilities across "
        "Tower Hamlets, Newham and City and Hackney"
    )
    assert found(text) == []
    gss = [g for g, _ in found(text, bare=True)]
    assert gss[:2] == ["E09000030", "E09000025"]
    assert found("Tower Hamlets and Newham councils share the service") == [
        ("E09000030", "Tower Hamlets"),
        ("E09000025", "Newham"),
    ]


def test_find_ignores_lower_case_words_and_acronyms():
    assert found("reading the report in bury street", bare=True) == []
    assert found("the lbh team", bare=True) == []
    assert found("the LBH team") == [("E09000012", "LBH")]


def test_find_organisations_in_text():
    text = "the council have approached the Department for Education (DfE) and the LGA."
    assert [(o.name, text[s:e]) for o, s, e in find_organisations(text)] == [
        ("Department for Education", "Department for Education"),
        ("Department for Education", "DfE"),
        ("Local Government Association", "LGA"),
    ]


def test_docstring_examples():
    result = doctest.testmod(reference)
    assert result.attempted > 0
    assert result.failed == 0
