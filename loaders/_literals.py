"""Literal strings that every match of a regular expression must contain: a safe, cheap test
that lets a loader skip a pattern that cannot match a text.

A case-insensitive pattern starting with ``\\b`` gets no literal-prefix fast path from the ``re``
engine, so ``finditer`` tries it at every position of the text (about 1 ms per pattern on a long
report). Most patterns cannot match most documents; a substring test on a case-folded copy of
the text says so in microseconds.

How it stays exact:

* :func:`requirements` reads the pattern's parse tree (``re._parser``, the tree ``re.compile``
  itself compiles). A run of literal characters outside any optional part is matched as written,
  so every match contains it; an alternation contributes one literal from each branch, or nothing
  if any branch has none. Anything not understood contributes nothing. A pattern whose tree cannot
  be read, or that yields no literal, is always run.
* :func:`fold` maps each character of the text to a representative of the class of characters
  ``re.IGNORECASE`` treats as equal to it (its simple lower case, then the extra Unicode
  equivalences such as 's'/'ſ', 'i'/'ı', 'µ'/'μ' from ``re._casefix``). Literals are folded the same
  way. A character that matches a literal (with or without ``IGNORECASE``) has the same
  representative, so a match's folded text, and so each literal of it, occurs in the folded text.
* Folding never changes the length of the text, so offsets (``pos``/``endpos``) carry over.
* Over a whole text, literals are also looked for in its *squashed* fold, where each run of white
  space is one space: ``\\s+`` and ``\\s*`` become part of a literal ("governance and culture").
  Offsets do not carry over to it, so it is never used for part of a text.
* :class:`Prefiltered` wraps a compiled pattern: ``search``, ``finditer`` and ``findall`` answer as
  the pattern's own, skipping it where a literal it needs is absent. A pattern with short matches
  (``\\bcyber[\\s-]?attacks?\\b``) is run over a whole text only near the places of a literal it
  needs (see :meth:`Prefiltered._finditer_near` for why the matches are the same).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import NamedTuple

try:  # the parser behind re.compile; private, so anything unexpected falls back to "always run"
    import _sre
    from re import _casefix, _constants, _parser
except ImportError:  # pragma: no cover - another Python implementation
    _sre = _casefix = _constants = _parser = None

# --- case folding -----------------------------------------------------------------------


def _classes() -> dict[int, int]:
    """The smallest member of each class of extra case-insensitive equivalents, by member."""
    extra = getattr(_casefix, "_EXTRA_CASES", {}) if _casefix else {}
    smallest: dict[int, int] = {}
    for key, others in extra.items():
        members = {key, *others}
        # Close the class over chained entries, so every member gets the same representative.
        pending = list(members)
        while pending:
            for other in extra.get(pending.pop(), ()):
                if other not in members:
                    members.add(other)
                    pending.append(other)
        low = min(members)
        for member in members:
            smallest[member] = low
    return smallest


_SMALLEST = _classes()


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """The representative of the characters ``re.IGNORECASE`` matches ``char`` with."""
    code = _sre.unicode_tolower(ord(char)) if _sre else ord(char.lower()[:1] or char)
    return chr(_SMALLEST.get(code, code))


# Lower-case characters that ``re.IGNORECASE`` equates with a smaller one ('ſ' with 's', 'ı' with
# 'i', 'σ' with 'ς'): where ``str.lower`` leaves one, it is not the fold.
_NOT_SMALLEST = re.compile(
    "[" + "".join(re.escape(chr(m)) for m, low in sorted(_SMALLEST.items()) if m != low) + "]"
    if any(m != low for m, low in _SMALLEST.items()) else "(?!)"
)


@lru_cache(maxsize=8)
def fold(text: str) -> str:
    """``text`` with every character replaced by :func:`fold_char` of it (the same length).

    Cached on the text's value: the detectors and the loader of one document fold the same text.
    """
    lowered = text.lower()
    # ``str.lower`` gives each character its simple lower case, except that it lowers 'İ' to two
    # characters (the length changes) and a capital sigma by its context (to 'σ' or 'ς'; 'σ' is
    # caught below). What remains is the fold unless a character equated with a smaller one is
    # left. Checked for every code point in the tests.
    if len(lowered) == len(text) and (lowered.isascii() or not _NOT_SMALLEST.search(lowered)):
        return lowered
    return text.translate({ord(c): fold_char(c) for c in set(text) if fold_char(c) != c})


# --- required literals -------------------------------------------------------------------
#: At most this many strings in a set of alternatives, so the substring tests stay cheap.
MAX_STRINGS = 8

if _constants is not None:
    _LITERAL, _IN, _AT = _constants.LITERAL, _constants.IN, _constants.AT
    _BRANCH, _SUBPATTERN = _constants.BRANCH, _constants.SUBPATTERN
    _ATOMIC = getattr(_constants, "ATOMIC_GROUP", None)
    _CATEGORY, _SPACE = _constants.CATEGORY, _constants.CATEGORY_SPACE
    _NOT_LITERAL, _ANY, _ASSERT = _constants.NOT_LITERAL, _constants.ANY, _constants.ASSERT
    _ASSERT_NOT, _RANGE = _constants.ASSERT_NOT, _constants.RANGE
    _CATEGORIES = {
        _constants.CATEGORY_DIGIT: r"\d", _constants.CATEGORY_NOT_DIGIT: r"\D",
        _constants.CATEGORY_WORD: r"\w", _constants.CATEGORY_NOT_WORD: r"\W",
        _constants.CATEGORY_SPACE: r"\s", _constants.CATEGORY_NOT_SPACE: r"\S",
    }
    _REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, getattr(_constants, "POSSESSIVE_REPEAT", None)} - {None}


# Where a need's strings are looked for: the text as written, its fold, or its fold with every
# run of white space squashed to one space (for the whole text only: offsets do not carry over).
AS_WRITTEN, FOLDED, SQUASHED = 0, 1, 2
_WHITE_SPACE = re.compile(r"\s+")


class Need(NamedTuple):
    """Every match contains one of ``strings``, in the text as seen by ``view``."""

    strings: frozenset[str]
    view: int


_EMPTY = Need(frozenset([""]), AS_WRITTEN)


def _in_view(s: str, view: int) -> str:
    """A string as written, in another view (a string that occurs as written occurs in each view)."""
    if view >= FOLDED:
        s = "".join(fold_char(c) for c in s)
    if view == SQUASHED:
        s = _WHITE_SPACE.sub(" ", s)
    return s


def _alike(*needs: Need) -> tuple[list[frozenset[str]], int]:
    """The needs' strings, all in the widest view among them (as written < folded < squashed)."""
    view = max(n.view for n in needs)
    return [n.strings if n.view == view else frozenset(_in_view(s, view) for s in n.strings) for n in needs], view


def _join(left: Need, right: Need) -> Need:
    (a, b), view = _alike(left, right)
    joined = (x + y for x in a for y in b)
    if view == SQUASHED:  # the space ending one part and the space starting the next are one run
        joined = (_WHITE_SPACE.sub(" ", s) for s in joined)
    return Need(frozenset(joined), view)


def _union(needs: list[Need]) -> Need:
    sets, view = _alike(*needs)
    return Need(frozenset().union(*sets), view)


def _minimal(need: Need) -> Need:
    """Drop each string that contains another: a text holding it holds the shorter one too."""
    kept: list[str] = []
    for s in sorted(need.strings, key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return Need(frozenset(kept), need.view)


def _usefulness(need: Need) -> tuple:
    """How well a need rules texts out: the longest shortest string (rarer), as written, the fewest strings."""
    return (min(map(len, need.strings)), need.view == AS_WRITTEN, -len(need.strings))


def _useful(options: list[Need]) -> list[Need]:
    """Real needs (no empty string, which every text holds), most useful first, without repeats."""
    kept = {_minimal(o) for o in options if o.strings}
    return sorted((o for o in kept if "" not in o.strings), key=_usefulness, reverse=True)


def _inner_view(view: int, av) -> int:
    """The view inside a group: ``(?i:...)`` and ``(?-i:...)`` turn case-insensitivity on and off."""
    if view == SQUASHED:
        return view
    _, add, remove, _ = av
    ignorecase = (view == FOLDED or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
    return FOLDED if ignorecase else AS_WRITTEN


def _char(code: int, view: int) -> str:
    char = chr(code)
    return _in_view(char, view) if view != AS_WRITTEN else char


def _node(op, av, view: int) -> tuple[Need | None, list[Need]]:
    """A node of the parse tree: the strings one of which it always matches exactly (None: not a
    few known strings), and needs that every match of it meets.

    ``view`` is where its literals are to be looked for: AS_WRITTEN where case matters, else
    FOLDED, or SQUASHED when white space of any length is one space.
    """
    if op is _LITERAL:
        return Need(frozenset([_char(av, view)]), view), []
    if op is _AT:
        return _EMPTY, []  # zero width: the characters around it are consecutive in the match
    if op is _IN:
        if all(item_op is _LITERAL for item_op, _ in av):
            chars = frozenset(_char(c, view) for _, c in av)
            return (Need(chars, view) if len(chars) <= MAX_STRINGS else None), []
        if view == SQUASHED and av == [(_CATEGORY, _SPACE)]:
            return Need(frozenset([" "]), view), []  # \s
        return None, []
    if op is _SUBPATTERN:
        return _sequence(av[-1], _inner_view(view, av))
    if _ATOMIC is not None and op is _ATOMIC:
        return _sequence(av, view)
    if op is _BRANCH:
        alternatives = [_sequence(alt, view) for alt in av[1]]
        exact = None
        if all(e is not None for e, _ in alternatives):
            union = _union([e for e, _ in alternatives])
            exact = union if len(union.strings) <= MAX_STRINGS else None
        # One string from each alternative's best need: any match is a match of one alternative.
        needs = ([_minimal(_union([n[0] for _, n in alternatives]))]
                 if alternatives and all(n for _, n in alternatives) else [])
        return exact, needs
    if op in _REPEATS:
        low, high, body = av
        inner, inner_needs = _sequence(body, view)
        needs = inner_needs if low >= 1 else []  # an optional part needs nothing
        if inner is not None and view == SQUASHED and inner.strings == {" "}:
            return Need(frozenset([" "] if low else ["", " "]), view), needs  # a run of white space is one space
        if inner is None or high > 2:
            return None, needs
        out, power = [], _EMPTY
        for count in range(high + 1):
            if count >= low:
                out.append(power)
            power = _join(power, inner)
        union = _union(out)
        return (union if len(union.strings) <= MAX_STRINGS else None), needs
    return None, []  # one unknown character, a look-around, a back-reference


def _sequence(items, view: int) -> tuple[Need | None, list[Need]]:
    """A sequence of nodes: the strings it always matches exactly (or None), and its needs.

    Neighbouring nodes of known strings are joined ("cost" "s?" -> "cost", "costs"), up to
    :data:`MAX_STRINGS` combinations. Each joined stretch is a need, and so is each need of a
    node that is not optional; every match meets them all.
    """
    options: list[Need] = []
    stretch = _EMPTY
    exact = True
    for op, av in items:
        strings, needs = _node(op, av, view)
        if strings is None:
            exact = False
            options.append(stretch)
            stretch = _EMPTY
            options.extend(needs)
        elif len(stretch.strings) * len(strings.strings) <= MAX_STRINGS:
            stretch = _join(stretch, strings)
        else:
            exact = False  # too many combinations to list: keep each part as a need
            options.append(stretch)
            stretch = strings
    options.append(stretch)
    return (stretch if exact else None), _useful(options)


def _parse(pattern: re.Pattern):
    """The parse tree ``re.compile`` built ``pattern`` from, or None where it cannot be read."""
    if _parser is None or not isinstance(pattern.pattern, str):
        return None
    try:
        return _parser.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None


def requirements(pattern: re.Pattern, most: int = 4, squashed: bool = False, tree=None) -> tuple[Need, ...]:
    """Up to ``most`` needs that every match of ``pattern`` meets, the most useful first.

    With ``squashed``, needs for the whole text's squashed fold (where ``\\s+`` is one space, so
    ``governance\\s+and\\s+culture`` needs "governance and culture"). An empty tuple means nothing
    is known and the pattern must run. ``tree``: the pattern's parse tree, if already read.
    """
    tree = tree if tree is not None else _parse(pattern)
    if tree is None:
        return ()
    view = SQUASHED if squashed else FOLDED if pattern.flags & re.IGNORECASE else AS_WRITTEN
    try:
        return tuple(_sequence(tree, view)[1][:most])
    except (TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return ()


@lru_cache(maxsize=8)
def squash(text: str) -> str:
    """The fold of ``text`` with each run of white space one space, and a space at each end.

    ``\\s`` matches what ``str.split`` splits on; the added spaces can only make a need look
    present, never absent.
    """
    return " " + " ".join(fold(text).split()) + " "


def _view(text: str, view: int) -> str:
    return text if view == AS_WRITTEN else fold(text) if view == FOLDED else squash(text)


def may_contain(needs: tuple[Need, ...], text: str, pos: int = 0, endpos: int | None = None) -> bool:
    """False only if ``text[pos:endpos]`` lacks every string of one of the ``needs``.

    ``pos`` and ``endpos`` are read as ``re`` reads them (clamped to the text), not as ``str.find``
    does (which counts a negative number from the end). A SQUASHED need is checked only when the
    window is the whole text.
    """
    pos = max(pos, 0)
    endpos = len(text) if endpos is None else max(min(endpos, len(text)), 0)
    whole = pos == 0 and endpos == len(text)
    for need in needs:
        if need.view == SQUASHED:
            if whole and not any(s in squash(text) for s in need.strings):
                return False
        elif not any(_view(text, need.view).find(s, pos, endpos) >= 0 for s in need.strings):
            return False
    return True


#: Texts shorter than this are matched directly: folding them would cost about what it saves.
MIN_TEXT = 2000


def _finder(strings: frozenset[str]):
    """A callable ``(haystack, pos, endpos) -> bool``: whether one of ``strings`` occurs there.

    ``str.find`` per string: on a long text it is several times faster than one alternation pattern.
    """
    if len(strings) == 1:
        (only,) = strings
        return lambda haystack, pos, endpos: haystack.find(only, pos, endpos) >= 0
    ordered = tuple(sorted(strings))

    def occurs(haystack: str, pos: int, endpos: int) -> bool:
        for s in ordered:
            if haystack.find(s, pos, endpos) >= 0:
                return True
        return False

    return occurs


#: A pattern whose matches are at most this long (and that reads nothing past a match) is run
#: only around the places where a literal it needs occurs, over a whole text.
MAX_NEAR_WIDTH = 400
#: ... unless that literal occurs more often than this: then one scan of the text is cheaper.
MAX_NEAR_PLACES = 100


def _reads_beyond(items) -> bool:
    """Whether matching may read past the end of what it matches (a look-ahead, a back-reference...)."""
    for op, av in items:
        if op in (_LITERAL, _NOT_LITERAL, _IN, _ANY, _AT):
            continue  # one character, or (\b, $) the character after the match at most
        if op is _SUBPATTERN:
            nested = [av[-1]]
        elif _ATOMIC is not None and op is _ATOMIC:
            nested = [av]
        elif op is _BRANCH:
            nested = av[1]
        elif op in _REPEATS:
            nested = [av[2]]
        elif op is _ASSERT and av[0] < 0:
            nested = [av[1]]  # a look-behind reads before the position, which a search sees as it is
        else:
            return True
        if any(_reads_beyond(n) for n in nested):
            return True
    return False


def _near_width(pattern: re.Pattern, tree=None) -> int | None:
    """The longest match of ``pattern``, if matches are short, never empty, and read nothing past their end."""
    tree = tree if tree is not None else _parse(pattern)
    if tree is None:
        return None
    try:
        low, high = tree.getwidth()
        if low < 1 or high > MAX_NEAR_WIDTH or _reads_beyond(tree):
            return None
    except (re.error, TypeError, ValueError, AttributeError, IndexError, RecursionError, OverflowError):
        return None
    return high


def _first_items(items) -> tuple[list[str], bool]:
    """Character-class items (as pattern source) one of which a match's first character matches,
    and whether the nodes can match nothing at all. Raises ValueError where that is not known."""
    out: list[str] = []
    for op, av in items:
        if op is _AT or op is _ASSERT or op is _ASSERT_NOT:
            continue  # zero width: the first character is still to come
        if op is _LITERAL:
            return out + [re.escape(chr(av))], False
        if op is _IN:
            for item_op, item in av:
                if item_op is _LITERAL:
                    out.append(re.escape(chr(item)))
                elif item_op is _RANGE:
                    out.append(re.escape(chr(item[0])) + "-" + re.escape(chr(item[1])))
                elif item_op is _CATEGORY and item in _CATEGORIES:
                    out.append(_CATEGORIES[item])
                else:
                    raise ValueError("a negated or unusual set")
            return out, False
        if op is _SUBPATTERN and not av[1] and not av[2]:  # a group that changes no flags
            nested, empty = _first_items(av[-1])
        elif _ATOMIC is not None and op is _ATOMIC:
            nested, empty = _first_items(av)
        elif op is _BRANCH:
            alternatives = [_first_items(alt) for alt in av[1]]
            nested = [item for items_, _ in alternatives for item in items_]
            empty = any(e for _, e in alternatives)
        elif op in _REPEATS:
            nested, empty = _first_items(av[2])
            empty = empty or av[0] == 0
        else:
            raise ValueError("not a node whose first character is known")
        out += nested
        if not empty:
            return out, False
    return out, True


def _fast_start(pattern: re.Pattern, tree=None) -> re.Pattern:
    """``pattern`` behind a look-ahead for the characters its matches can start with.

    ``(?=[CDMS...])(?:...)`` has the same matches and groups (the look-ahead only rejects starts
    where no match can begin), but the engine rejects most positions of a text at once instead of
    entering the pattern's optional groups and alternatives: two to ten times faster on
    ``\\b(?:...)`` and ``(?P<hon>...)?(?P<name>...)`` patterns. The pattern itself where the first
    characters are not known (a match may be empty, start with any character or a negated set,
    or sit behind a change of flags) or the rewritten pattern does not compile (global flags).
    """
    tree = tree if tree is not None else _parse(pattern)
    if tree is None:
        return pattern
    try:
        items, empty = _first_items(tree)
        if empty or not items:
            return pattern
        # A newline ends a comment at the end of a verbose pattern before the closing parenthesis.
        end = "\n)" if pattern.flags & re.VERBOSE else ")"
        return re.compile("(?=[" + "".join(dict.fromkeys(items)) + "])(?:" + pattern.pattern + end, pattern.flags)
    except (re.error, ValueError, TypeError, AttributeError, IndexError, RecursionError):
        return pattern


class Prefiltered:
    """A compiled pattern that is not run over a long text (or part of one) where it cannot match.

    ``search``, ``finditer`` and ``findall`` answer exactly as the pattern's own do: they skip the
    regular expression only when a string that every match contains is absent from the text
    between ``pos`` and ``endpos`` (a match lies inside that window), and otherwise run its
    :func:`_fast_start` form (as do ``split`` and ``sub``). Everything else (``match``, ``pattern``,
    ``groupindex``...) is the pattern's own.
    """

    __slots__ = ("regex", "_fast", "_requirements", "_finders", "_whole_finders", "_anchor", "_width")

    def __init__(self, regex: re.Pattern):
        self.regex = regex
        self._fast = None  # the rest is worked out on first use: importing the loaders stays quick

    def _prepare(self) -> None:
        regex = self.regex
        tree = _parse(regex)
        self._requirements = requirements(regex, tree=tree) + requirements(regex, squashed=True, tree=tree)
        # Over the whole text, the most selective needs first (the squashed ones, then by usefulness);
        # within a part of it, the cheapest (fewest strings) first.
        positional = [n for n in self._requirements if n.view != SQUASHED]
        whole = [n for n in self._requirements if n.view == SQUASHED] + positional
        part = sorted(positional, key=lambda n: len(n.strings))
        self._whole_finders = tuple((n.view, _finder(n.strings)) for n in whole)
        self._finders = tuple((n.view, _finder(n.strings)) for n in part)
        # For finditer over a whole text: the need whose places bound where matches can start.
        self._anchor = next((n for n in self._requirements if n.view != SQUASHED), None)
        self._width = _near_width(regex, tree) if self._anchor else None
        self._fast = _fast_start(regex, tree)  # the same matches, found faster; set last (it marks the rest ready)

    def _ready(self) -> re.Pattern:
        """The fast form, the pattern analysed first if this is its first use."""
        if self._fast is None:
            self._prepare()
        return self._fast

    @property
    def fast(self) -> re.Pattern:
        return self._ready()

    @property
    def requirements(self) -> tuple:
        self._ready()
        return self._requirements

    def __repr__(self) -> str:
        return f"Prefiltered({self.regex!r})"

    def __getattr__(self, name):
        return getattr(self.regex, name)  # .pattern, .flags, .groupindex, .match ...

    def cannot_match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """True only if no match of the pattern can lie in ``text[pos:endpos]`` (as :func:`may_contain`)."""
        self._ready()
        if not self._whole_finders or len(text) < MIN_TEXT:
            return False
        # Clamped as re clamps them (str.find would count a negative number from the end).
        pos = max(pos, 0)
        endpos = max(min(endpos, len(text)), 0)
        if pos == 0 and endpos == len(text):
            return any(not occurs(_view(text, view), 0, sys.maxsize) for view, occurs in self._whole_finders)
        return any(not occurs(_view(text, view), pos, endpos) for view, occurs in self._finders)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        return None if self.cannot_match(string, pos, endpos) else self.fast.search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._ready()
        if self.cannot_match(string, pos, endpos):
            return iter(())
        if self._width and pos <= 0 and endpos >= len(string) >= MIN_TEXT:
            spans = self._near(string)
            if spans is not None:
                return self._finditer_near(string, spans)
        return self.fast.finditer(string, pos, endpos)

    def _near(self, text: str) -> list[list[int]] | None:
        """Where in ``text`` a match can start: within ``width`` characters before a place of the anchor.

        A match holds one of the anchor's strings and is at most ``width`` long, so it starts at most
        ``width - len(string)`` characters before that string does. None if the places are many.
        """
        haystack, width = _view(text, self._anchor.view), self._width
        starts: list[tuple[int, int]] = []
        for s in self._anchor.strings:
            at = haystack.find(s)
            while at >= 0:
                starts.append((max(at + len(s) - width, 0), at))
                if len(starts) > MAX_NEAR_PLACES:
                    return None
                at = haystack.find(s, at + 1)
        spans: list[list[int]] = []
        for first, last in sorted(starts):
            if spans and first <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], last)
            else:
                spans.append([first, last])
        return spans

    def _finditer_near(self, text: str, spans: list[list[int]]):
        """The matches ``finditer`` gives over the whole text, searched for only in ``spans`` of starts.

        ``finditer`` yields the leftmost match, then the leftmost from its end (matches are never
        empty). A search from ``start`` with ``endpos`` past ``last + width + 1`` tries each start up
        to ``last`` exactly as over the whole text (it reads at most one character past a match), so
        a match it finds starting by ``last`` is the real leftmost one; one starting later may be an
        artefact of ``endpos`` and is left to the next span. Only the matches' ``pos`` and ``endpos``
        attributes differ (they are the narrowed search's).
        """
        pos, width = 0, self._width
        for first, last in spans:
            while (start := max(first, pos)) <= last:
                m = self.fast.search(text, start, last + width + 2)
                if m is None or m.start() > last:
                    break
                yield m
                pos = m.end()

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list:
        return [] if self.cannot_match(string, pos, endpos) else self.fast.findall(string, pos, endpos)

    def split(self, string: str, maxsplit: int = 0) -> list:
        return self.fast.split(string, maxsplit)

    def sub(self, repl, string: str, count: int = 0) -> str:
        return self.fast.sub(repl, string, count)
