"""The loaders' shortcuts change no result: the literal prefilter never skips a pattern that would
match, case folding agrees with ``re.IGNORECASE``, and cached helpers return what they computed before.
"""

from __future__ import annotations

import re
import string
import sys
from contextlib import contextmanager
from functools import cache

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from councilkg.loaders import Document, _concepts
from councilkg.loaders._concepts import recognise, rules
from councilkg.loaders._literals import (
    AS_WRITTEN, FOLDED, MIN_TEXT, SQUASHED, Need, Prefiltered, fold, fold_char, may_contain, requirements, squash,
)
from tests.conftest import FIXTURES, SOURCES

SETTINGS = settings(max_examples=20, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

TAXONOMY = sorted({p.pattern for rule in rules() for p in rule.patterns + rule.excludes})
PADDING = "Unrelated words. " * (MIN_TEXT // 17 + 1)

# Constructs the literal analysis must read correctly (or give up on), with texts that match.
CONSTRUCTS = [
    (r"\bcyber[\s-]?attacks?\b", "a Cyber-Attack", "cyberattack"),
    (r"(?:budget|savings) (?:gap|gaps|shortfall)", "SAVINGS GAPS", "budget shortfall"),
    (r"costs? (?:had )?(?:rise|risen)", "cost rise", "Costs had risen"),
    (r"ab{2}c", "abbc", "ABBC"),
    (r"ab{0,2}c", "ac", "abc"),
    (r"(?:ab){2,}", "ababab", "abab"),
    (r"x(?=yz)", "xyz", "XYZ"),
    (r"(?<=pre)fix", "prefix", "PREFIX"),
    (r"no(?!pe)", "not", "nob"),
    (r"(?P<q>['\"])quoted(?P=q)", "'quoted'", '"quoted"'),
    (r"(a)?(?(1)bc|de)", "abc", "de"),
    (r"(?>atomic)group", "atomicgroup", "ATOMICGROUP"),
    (r"pos+essive", "possessive", "posessive"),
    (r"(?i:mixed)Case", "MIXEDCase", "mixedCase"),
    (r"(?-i:exact)ly", "exactLY", "exactly"),
    (r"[Cc]ommittee|[Pp]anel", "committee", "Panel"),
    (r"[sz]ation", "sation", "ZATION"),
    (r"[a-c]at", "bat", "CAT"),
    (r"[^x]en", "ten", "Ten"),
    (r"(?:|s)uffix", "uffix", "suffix"),
    (r"^start|end$", "start", "the end"),
    (r"\d+ per\s?cent", "18 per cent", "6 percent"),
    (r"children[’']?s services?", "Children’s Services", "childrens service"),
    (r"(?:(?:a|b)(?:c|d)){1,2}e", "ace", "bdbce"),
    (r".{0,5}", "", "anything"),
    (r"(?x) spaced \s out  # comment", "spaced out", "spaced\tout"),
    (r"\bgovernance\s+and\s+culture\b", "Governance \n\t and\u00a0culture", "governance and culture"),
    (r"a[ \t]*b\n\tc", "ab\n\tc", "a \t b\n\tc"),
    (r"x\s*y\s?z", "xyz", "x \n y\x1cz"),
    (r" leading\s", "  leading\u2003", " leading\n"),
    (r"\s{2}two", "\n\ntwo", " \ttwo"),
    (r"(?:Dr\.?\s+)?(?P<name>[A-Z][a-z]+)\s*\((?P<role>[^()]+)\)", "Dr Jo (Chair)", "Ann (CEO)"),
    (r"(?:a|b?)c", "c", "bc"),
    (r"\bx[a-k]+", "xKing", "x\u212aing"),
    (r"[\d\s]+%", "12 %", "\u0663%"),
    (r"(?:\W|_)+end", "--end", "__end"),
    (r"(?i)global", "GLOBAL", "global"),
]

# Characters ``re.IGNORECASE`` treats as equal to ASCII letters beyond plain case.
UNICODE_CASES = [
    ("ransomware", "RANſOMWARE"),  # long s
    ("vacancies in key", "VACANCıES IN KEY"),  # dotless i
    ("vacancies in key", "VACANCİES İN KEY"),  # dotted capital I: str.lower() makes two characters
    ("ofsted inspection", "ofsted inspection"),
    ("lack of trust", "LACK OF TRUST"),
    ("kelvin", "\u212aELVIN"),  # Kelvin sign
    ("ångström", "\u212bNGSTRÖM"),  # Angstrom sign
    ("µ", "μ"),  # micro sign and Greek mu
    ("σας", "ΣΑΣ"),  # capital sigma, lowered by context in str.lower()
    ("straße", "STRAẞE"),  # capital sharp s
    ("ǆ", "ǅ"),  # title-case digraph
]


def _literals_hold(pattern: re.Pattern, text: str) -> None:
    """If ``pattern`` matches in ``text``, the prefilter must let it run (on the text and a window of it)."""
    if pattern.search(text):
        found = requirements(pattern) + requirements(pattern, squashed=True)
        assert may_contain(found, text), (pattern.pattern, text, found)
    for pos, endpos in ((1, len(text) - 1), (2, 5), (-3, 10**6), (len(text) // 2, len(text))):
        if pattern.search(text, pos, endpos):
            assert may_contain(requirements(pattern), text, pos, endpos), (pattern.pattern, text, pos, endpos)


# --- folding -------------------------------------------------------------------------------
def test_ascii_lower_case_is_the_fold():
    assert all(chr(c).lower() == fold_char(chr(c)) for c in range(128))


@pytest.fixture(scope="module")
def every_character() -> str:
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize("chars", list("abcdefghijklmnopqrstuvwxyz0123456789 -'’")
                         + ["µ", "σ", "ß", "ǆ", "å", "Cc", "sz", "ab", "’'"])
def test_every_character_ignorecase_matches_folds_alike(chars, every_character):
    """Whatever ``re.IGNORECASE`` matches with a literal (or a set like ``[sz]``) has the same fold as it."""
    pattern = re.escape(chars) if len(chars) == 1 else "[" + re.escape(chars) + "]"
    folds = {fold_char(c) for c in chars}
    for flags in (re.I, re.I | re.A, 0):
        for found in re.findall(pattern, every_character, flags):
            assert fold_char(found) in folds, (chars, found, hex(ord(found)), flags)


def test_white_space_is_what_backslash_s_matches(every_character):
    """``squash`` splits on ``str.isspace`` characters: exactly those ``\\s`` matches, before and after folding."""
    spaces = set(re.findall(r"\s", every_character))
    assert spaces == {c for c in every_character if c.isspace()}
    assert spaces == {c for c in every_character if fold_char(c).isspace()}
    assert squash("A\u00a0 b\n\nC") == " a b c "


def test_str_lower_is_the_fold_where_fold_uses_it(every_character):
    """``fold`` returns ``str.lower()`` when its length is unchanged and no 'ſ'-like character is left."""
    from councilkg.loaders._literals import _NOT_SMALLEST

    for char in every_character:
        lowered = char.lower()
        if len(lowered) == 1 and not _NOT_SMALLEST.search(lowered):
            assert lowered == fold_char(char), hex(ord(char))
    for text in ("ΣΑΣ", "ΑΣ", "ΣΑ", "Σ", "aΣ b", "ΣΣ", "σς"):  # a capital sigma is lowered by its context
        assert fold(text) == "".join(fold_char(c) for c in text)


@given(st.text())
@example("İstanbul ΣΑΣ ſ \u212a")
@SETTINGS
def test_fold_is_the_fold_of_each_character(text):
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "".join(fold_char(c) for c in text)


# --- required literals -----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", TAXONOMY)
def test_taxonomy_patterns_have_literals(pattern):
    """Every taxonomy pattern is cheap to skip (a pattern without a literal would always run)."""
    assert requirements(re.compile(pattern, re.I))


@pytest.mark.parametrize("plain, odd", UNICODE_CASES)
def test_prefilter_with_unicode_case_equivalents(plain, odd):
    """Taxonomy patterns against texts whose letters ``re.I`` equates in unusual ways."""
    for pattern in TAXONOMY:
        compiled = re.compile(pattern, re.I)
        for text in (odd, f"The {odd} here.", plain.upper(), odd.swapcase()):
            _literals_hold(compiled, text)


@pytest.mark.parametrize("plain, odd", UNICODE_CASES)
def test_unicode_equivalents_are_found(plain, odd):
    compiled = re.compile(re.escape(plain), re.I)
    if compiled.search(odd):
        assert may_contain(requirements(compiled), odd)


@pytest.mark.parametrize("pattern, texts", [(c[0], c[1:]) for c in CONSTRUCTS])
@pytest.mark.parametrize("flags", [0, re.I])
def test_constructs(pattern, texts, flags):
    compiled = re.compile(pattern, flags)
    for text in texts:
        _literals_hold(compiled, text)
        _literals_hold(compiled, f"before {text} after")


# Constructs with and without IGNORECASE (and ASCII), taxonomy patterns as the loaders compile them.
PATTERN_CASES = ([(c[0], flags) for c in CONSTRUCTS for flags in (0, re.I, re.I | re.A)]
                 + [(pattern, re.I) for pattern in TAXONOMY])


@cache
def _equivalents() -> dict[str, str]:
    """For each ASCII letter, every character ``re.IGNORECASE`` matches it with ('s': 'sSſ')."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    return {c: "".join(re.findall(c, every, re.I)) for c in string.ascii_lowercase}


@pytest.mark.parametrize("pattern, flags", PATTERN_CASES)
@given(data=st.data())
@SETTINGS
def test_shortcuts_find_every_match(pattern, flags, data):
    """On texts made of generated matches, the prefilter, Prefiltered and the look-ahead form agree with re.

    Matches are generated from the pattern; with IGNORECASE their letters may be swapped for any
    character re equates with them ('ſ' for 's', 'İ' or 'ı' for 'i', the Kelvin sign for 'k').
    They are packed close together, overlapping and at varying distances, after a long padding,
    so that the places searched near a literal meet, merge and end just before or after a match.
    """
    from councilkg.loaders._literals import _fast_start

    compiled = re.compile(pattern, flags)
    matches = st.from_regex(compiled, fullmatch=True)
    if flags & re.I and not flags & re.A:
        matches = matches.flatmap(lambda m: st.tuples(*[
            st.sampled_from(_equivalents()[c.lower()]) if c.lower() in _equivalents() else st.just(c) for c in m
        ]).map("".join))
    pieces = data.draw(st.lists(st.one_of(matches, st.sampled_from([" ", "x", ". ", "\n", "xx yy ", "a" * 90]),
                                          st.integers(0, 500).map(lambda n: "z " * n)), max_size=12))
    text = data.draw(st.sampled_from(["", PADDING])) + "".join(pieces) + data.draw(st.sampled_from(["", " ", PADDING]))
    _literals_hold(compiled, text)

    wrapped = Prefiltered(compiled)
    assert [m.regs for m in wrapped.finditer(text)] == [m.regs for m in compiled.finditer(text)]
    assert wrapped.findall(text) == compiled.findall(text)
    pos, endpos = data.draw(st.integers(-5, len(text) + 5)), data.draw(st.integers(-5, len(text) + 5))
    windowed = [m.regs for m in compiled.finditer(text, pos, endpos)]
    assert [m.regs for m in wrapped.finditer(text, pos, endpos)] == windowed
    found, expected = wrapped.search(text, pos, endpos), compiled.search(text, pos, endpos)
    assert (found and found.regs) == (expected and expected.regs)

    fast = _fast_start(compiled)
    assert [m.regs for m in fast.finditer(text)] == [m.regs for m in compiled.finditer(text)]
    assert fast.groupindex == compiled.groupindex and fast.groups == compiled.groups


def test_unknown_patterns_always_run():
    for pattern in (r"\w+", r"(?:abc)?", r"(?=abc)", r"(\w)\1", r"[^x]+"):
        assert requirements(re.compile(pattern)) == ()
        assert not Prefiltered(re.compile(pattern)).cannot_match(PADDING)
    assert may_contain((), "")


def test_literals_are_specific():
    assert requirements(re.compile(r"\bcyber[\s-]?attacks?\b", re.I)) == (
        Need({"attack"}, FOLDED), Need({"cyber"}, FOLDED))
    assert requirements(re.compile(r"\bVacanc(?:y|ies) in key\b", re.I)) == (
        Need({"vacancy in key", "vacancies in key"}, FOLDED),)
    assert set(requirements(re.compile(r"(?:a|B)\w(?:c|d)"))) == {
        Need(frozenset("aB"), AS_WRITTEN), Need(frozenset("cd"), AS_WRITTEN)}
    # Case matters only where the pattern says so: a folded part makes the joined string folded.
    assert requirements(re.compile(r"Chief (?i:Executive)")) == (Need({"chief executive"}, FOLDED),)
    assert requirements(re.compile(r"(?-i:Chief) executive", re.I)) == (Need({"chief executive"}, FOLDED),)
    assert requirements(re.compile(r"Chief\s+Executive")) == (
        Need({"Executive"}, AS_WRITTEN), Need({"Chief"}, AS_WRITTEN))
    # Over the whole text, any run of white space is one space.
    assert requirements(re.compile(r"Chief\s+Executive"), squashed=True) == (Need({"chief executive"}, SQUASHED),)
    assert requirements(re.compile(r"a[ \t]*b\n\tc"), squashed=True) == (Need({"ab c", "a b c"}, SQUASHED),)


def test_short_texts_are_matched_directly():
    pattern = Prefiltered(re.compile(r"\bransomware\b", re.I))
    assert not pattern.cannot_match("no such word")
    assert pattern.cannot_match(PADDING)


# --- recognise: same result with and without the prefilter -------------------------------------
def _documents():
    for folder in (SOURCES, FIXTURES):
        for path in sorted(folder.iterdir()):
            if path.suffix in (".txt", ".md"):
                yield Document(name=path.name, source=path.read_text(encoding="utf-8"))


@contextmanager
def _unfiltered():
    """Every Prefiltered pattern runs, as if no prefilter existed."""
    plain = Prefiltered.cannot_match
    Prefiltered.cannot_match = lambda self, text, pos=0, endpos=None: False
    try:
        yield
    finally:
        Prefiltered.cannot_match = plain


@pytest.mark.parametrize("scheme", ["risk", "intervention"])
def test_recognise_is_unchanged_on_samples(scheme):
    for document in _documents():
        with _unfiltered():
            expected = recognise(document, scheme)
        assert recognise(document, scheme) == expected, document.name


@given(st.lists(st.sampled_from([
    "The council faced a cyber-attack in 2020.", "RANſOMWARE hit in 2021.", "Vacancıes in key roles remain.",
    "Ofsted’s judgement was Inadequate in May 2023.", "Commissioners were appointed in 2024.",
    "Reliance on reserves to balance the budget.", "The İnadequate children's services.", "\n", " ",
    "A budget gap of £5m.", "Demand pressures grew.", "ΣΑΣ ǅ \u212a", "Growing demand. ",
]), max_size=12).map("".join))
@SETTINGS
def test_recognise_is_unchanged_on_generated_text(text):
    document = Document(name="generated", source=PADDING + text)
    for scheme in ("risk", "intervention"):
        with _unfiltered():
            expected = recognise(document, scheme)
        assert recognise(document, scheme) == expected


# --- helpers that replaced a pattern scan ---------------------------------------------------
def _heading_at_by_pattern(text: str, name: str) -> int:
    """The scan ``cqc_assessment._heading_at`` replaced (it still runs it for an empty name)."""
    headings = list(re.finditer(r"^#*[ \t]*" + re.escape(name) + r"[ \t]*$", text, re.M))
    return headings[-1].end() - len(name) if headings else -1


@given(st.lists(st.sampled_from(["#", "##", " ", "\t", "\n", "\r", "Safe", " systems", "Safe systems", "x", "S"]),
                max_size=30).map("".join),
       st.sampled_from(["Safe systems", "Safe", "systems", "#Safe", "S", "SS", "Safe Safe", "", "x\nSafe"]))
@example("## Safe systems  \nSafe systems", "Safe systems")
@example("SS\nSSS", "SS")
@SETTINGS
def test_heading_at_is_the_pattern_scan(text, name):
    from councilkg.loaders.cqc_assessment import _heading_at

    assert _heading_at(text, name) == _heading_at_by_pattern(text, name)


@pytest.mark.parametrize("name", ["COMPARISON", "COMPARED", "CHANGE", "WAIT_STAT", "WAIT_LIST", "PEOPLE_WAITING",
                                  "STANDALONE_PERCENT", "STANDALONE_COUNT"])
@given(data=st.data())
@settings(SETTINGS, max_examples=10)
def test_every_statistic_holds_a_figure(name, data):
    """find_observations skips paragraphs without a digit: each statistic pattern's matches have one."""
    from councilkg.loaders import _observations

    pattern = getattr(_observations, name).regex
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    assert _observations.DIGIT.search(pattern.fullmatch(text).group())


@given(st.lists(st.sampled_from(["a", "Bc", " ", "\t", "\n", ".", "?", "!", "..", "6.2", "e.g.,", "\u00a0", "’"]),
                max_size=40).map("".join))
@SETTINGS
def test_sentence_pattern_is_the_one_character_form(text):
    """_concepts.SENTENCE takes runs of ordinary characters at once; its matches are the original's."""
    original = re.compile(r"(?:[^\n.?!]|[.?!]+(?=[^\s.?!]))*(?:[.?!]+|\n|$)")
    assert [m.span() for m in _concepts.SENTENCE.finditer(text)] == [m.span() for m in original.finditer(text)]


def _loader_patterns():
    import importlib
    import pkgutil

    import councilkg.loaders as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"councilkg.loaders.{info.name}")
        for name, value in vars(module).items():
            patterns = value if isinstance(value, tuple) else (value,)
            for pattern in patterns:
                pattern = pattern.regex if isinstance(pattern, Prefiltered) else pattern
                if isinstance(pattern, re.Pattern) and name.isupper():
                    yield f"{info.name}.{name}", pattern


@cache
def _sample_texts() -> list[str]:
    return [document.text for document in _documents()]


@pytest.mark.parametrize("name, pattern", list(_loader_patterns()), ids=lambda v: v if isinstance(v, str) else "")
def test_fast_start_finds_the_same_matches_in_the_samples(name, pattern):
    """Every loader pattern's look-ahead form finds the same matches and groups in every sample."""
    from councilkg.loaders._literals import _fast_start

    fast = _fast_start(pattern)
    for text in _sample_texts():
        assert [m.regs for m in fast.finditer(text)] == [m.regs for m in pattern.finditer(text)], name
        for line in text.splitlines()[:60]:
            assert [m.regs for m in fast.finditer(line)] == [m.regs for m in pattern.finditer(line)], (name, line)


def test_fast_start_falls_back_where_the_start_is_unknown():
    from councilkg.loaders._literals import _fast_start

    for pattern in (r"x?", r".abc", r"[^a]b", r"(?i:a)b", r"(a)\1|\1"):
        assert _fast_start(re.compile(pattern)).pattern == pattern
    assert _fast_start(re.compile(r"(?:Mr|Dr)?\s*[A-Z]\w+")).pattern.startswith("(?=[")
    assert _fast_start(re.compile("ab # comment", re.X)).fullmatch("ab")

