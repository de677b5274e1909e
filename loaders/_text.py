"""Shared text handling for loaders: cleaning with an offset map, dates, money, names.

Loaders read :attr:`CleanText.text`, a copy of the source with page furniture
removed (page-number lines, table-of-contents lines, repeated footers, markdown
emphasis) and hard line breaks inside sentences joined. Every character of the
clean text maps back to a position in the source, so evidence quoted from the
clean text still points at the source.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from councilkg.model import PartialDate, Span

# --- patterns -------------------------------------------------------------------
# A line holding nothing but a page number ("7", "Page 7", "7 of 12").
PAGE_NUMBER_LINE = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*$", re.I)
# A table-of-contents line: a numbered heading, a tab or dot leader, a page number.
TOC_LINE = re.compile(r"^\s*\d{1,2}\.?\s+\S[^\n]*?(?:\t+|\s\.{1,}\s*|\.{2,}\s*)\.?\s*\d{1,3}\s*$")
# Furniture that repeats on pages: company numbers, "Page x of y", protective markings.
FURNITURE_LINE = re.compile(
    r"company number\s+\d+|^\s*page\s+\d+\s+of\s+\d+\s*$|^\s*(?:OFFICIAL|OFFICIAL-SENSITIVE)\s*$", re.I
)
# Markdown emphasis markers and HTML tags that carry no text.
MARKDOWN_EMPHASIS = re.compile(r"\*\*|__")
INLINE_TAG = re.compile(r"</?(?:sup|sub|b|i|em|strong|span|br)\b[^>]*>", re.I)
# Sentence-final punctuation at the end of a line: no join after it.
LINE_END_PUNCT = re.compile(r"[.:;!?\"”’)\]]\s*$")
# Words a sentence cannot end on: a line ending with one continues on the next.
DANGLING_WORD = re.compile(
    r"\b(?:the|of|to|and|or|for|with|a|an|in|on|by|from|at|as|were|was|is|are|be|that|this|"
    r"their|its|his|her|our|into|than|which|who|whose|during|after|before|since|until|about|between|including|"
    r"under|over|through|within|without|per|across|against|towards?|via|upon|like|such)\s*$",
    re.I,
)
# A list item's marker: bullets (including the private-use symbols PDF text keeps from
# Symbol and Wingdings fonts), dashes, or "1." / "1)".
BULLET = re.compile(r"^\s*(?:[•·▪◦●■►➢✓*\-–\uf0b7\uf0a7\uf076\uf0d8\uf0fc]|\d+[.)](?=\s))\s*")
# A line that is only the end of an organisation's name broken off the line before
# ("... Metropolitan Borough" / "Council").
NAME_TAIL_LINE = re.compile(
    r"^\s*(?:Borough\s+)?(?:Council|Borough Council|County Council|City Council|Authority|Association|Trust)"
    r"(?:\s*\([^)]*\))?\s*[.,;]?\s*$"
)
SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
# White space other than one plain space: the runs cleaning folds into one space.
FOLDABLE_SPACE = re.compile(r" [ \t\u00a0\u2007\u202f]+|[\t\u00a0\u2007\u202f][ \t\u00a0\u2007\u202f]*")
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# "Thursday 9 October 2025", "23rd May 2024", "7 – 8 October 2025", "7 and 8 October 2025".
DAY_MONTH_YEAR = re.compile(
    _WEEKDAY + r"(?:(?P<day0>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<month0>" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?)?\s*(?:[-–—]|to|and|&)\s*" + _WEEKDAY + r")?" + _DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR + r"\b",
    re.I,
)
# "October 9, 2025", "October 9th 2025".
MONTH_DAY_YEAR = re.compile(_WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b", re.I)
# "November 2024", "Nov. 2024".
MONTH_YEAR = re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I)
# "2025-10-09".
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
# "09/10/2025" or "9.10.2025" (UK order: day first).
NUMERIC_DATE = re.compile(r"\b(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>(?:19|20)\d{2})\b")
YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b")
# "£54m", "£18.2 million", "£60,000", "£1.2bn", "£500k".
MONEY = re.compile(
    r"£\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(?P<scale>bn|billion|m|million|k|thousand)?\b",
    re.I,
)
# "18 per cent", "61.29%", "18percent".
PERCENT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s?(?:%|per\s?cent|percent)", re.I)
HONORIFIC = re.compile(
    r"^(?P<title>(?:The\s+)?(?:Rt\.?\s+Hon\.?\s+)?(?:Cllr\.?|Councillor|Dr\.?|Sir|Dame|Mr\.?|Mrs\.?|Ms\.?|Miss|"
    r"Professor|Prof\.?|Lord|Lady|Baroness|Baron))\s+",
    re.I,
)
SCALES = {"bn": 10**9, "billion": 10**9, "m": 10**6, "million": 10**6, "k": 10**3, "thousand": 10**3}


@dataclass
class _Piece:
    out_start: int
    raw_start: int
    length: int
    copied: bool  # False: inserted text that maps to one raw position


class CleanText:
    """The cleaned text of a source, with a map from clean offsets to source offsets."""

    def __init__(self, source: str):
        self.source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._pieces: list[_Piece] = []
        self._out: list[str] = []
        self._len = 0
        self._build()
        self.text = "".join(self._out)
        self._starts = [p.out_start for p in self._pieces]

    # -- building ---------------------------------------------------------------
    def _copy(self, raw_start: int, raw_end: int) -> None:
        if raw_end <= raw_start:
            return
        self._pieces.append(_Piece(self._len, raw_start, raw_end - raw_start, True))
        self._out.append(self.source[raw_start:raw_end])
        self._len += raw_end - raw_start

    def _insert(self, text: str, raw_pos: int) -> None:
        if not text:
            return
        self._pieces.append(_Piece(self._len, raw_pos, len(text), False))
        self._out.append(text)
        self._len += len(text)

    def _build(self) -> None:
        lines = self._source_lines()
        counts: dict[str, int] = {}
        for _, _, content in lines:
            key = content.strip()
            if key:
                counts[key] = counts.get(key, 0) + 1
        kept = [
            (start, end, content)
            for start, end, content in lines
            if not self._is_furniture(content, counts.get(content.strip(), 0))
        ]
        previous: str | None = None
        pending_blank = 0
        for start, end, content in kept:
            if not content.strip():
                pending_blank += 1
                continue
            if previous is not None:
                # A sentence broken across lines (PDF-to-text wraps with or without blank
                # lines between); a single break never joins a bullet to the line above.
                joins = self._continues(previous, content) and (pending_blank or not BULLET.match(content))
                if joins:
                    self._insert(" ", start)
                else:
                    self._insert("\n" * (min(pending_blank, 1) + 1), start)
            self._copy_line(start, end)
            previous = content
            pending_blank = 0
        if previous is not None:
            self._insert("\n", len(self.source))

    def _source_lines(self) -> list[tuple[int, int, str]]:
        out = []
        for i, start in enumerate(self._line_starts):
            end = self._line_starts[i + 1] - 1 if i + 1 < len(self._line_starts) else len(self.source)
            out.append((start, end, self.source[start:end]))
        return out

    @staticmethod
    def _is_furniture(content: str, count: int) -> bool:
        stripped = content.strip()
        if not stripped:
            return False
        if PAGE_NUMBER_LINE.match(stripped) or TOC_LINE.match(stripped):
            return True
        return count >= 2 and bool(FURNITURE_LINE.search(stripped))

    @staticmethod
    def _continues(previous: str, line: str) -> bool:
        """Whether a line separated by blank lines continues the previous sentence."""
        prev = previous.rstrip()
        if not prev or LINE_END_PUNCT.search(prev) or BULLET.match(line) and not DANGLING_WORD.search(prev):
            return False
        nxt = line.lstrip()
        return bool(DANGLING_WORD.search(prev)) or nxt[:1].islower() or bool(NAME_TAIL_LINE.match(nxt))

    def _copy_line(self, start: int, end: int) -> None:
        """Copy one line, normalising spaces and dropping emphasis markers and inline tags."""
        line = self.source[start:end]
        # Trailing white space is dropped; runs of spaces, tabs and NBSP become one space.
        body_end = start + len(line.rstrip())
        pos = start
        drop = [(m.start() + start, m.end() + start) for m in MARKDOWN_EMPHASIS.finditer(line)]
        drop += [(m.start() + start, m.end() + start) for m in INLINE_TAG.finditer(line)]
        drop.sort()
        for d_start, d_end in drop:
            if d_start < pos:
                continue
            self._copy_spaced(pos, min(d_start, body_end))
            pos = d_end
        self._copy_spaced(pos, body_end)

    def _copy_spaced(self, start: int, end: int) -> None:
        """Copy, folding each run of white space (other than a single space) into one space."""
        pos = start
        for m in FOLDABLE_SPACE.finditer(self.source, start, end):
            self._copy(pos, m.start())
            self._insert(" ", m.start())
            pos = m.end()
        self._copy(pos, end)

    # -- mapping ----------------------------------------------------------------
    def to_source(self, offset: int) -> int:
        """The source offset of a clean-text offset."""
        if not self._pieces:
            return 0
        i = max(0, bisect.bisect_right(self._starts, offset) - 1)
        piece = self._pieces[i]
        if piece.copied:
            return piece.raw_start + min(offset - piece.out_start, piece.length)
        return piece.raw_start

    def line_of(self, source_offset: int) -> int:
        """1-based line number of a source offset."""
        return bisect.bisect_right(self._line_starts, source_offset)

    def span(self, start: int, end: int) -> Span:
        """Evidence for ``text[start:end]``, trimmed of surrounding white space."""
        quote = self.text[start:end]
        lead = len(quote) - len(quote.lstrip())
        start += lead
        end = start + len(quote.strip())
        src_start = self.to_source(start)
        src_end = self.to_source(end - 1) + 1 if end > start else src_start
        return Span(self.text[start:end], src_start, src_end, self.line_of(src_start))


# --- helpers used by several loaders ----------------------------------------------
def squash(text: str) -> str:
    """Collapse white space to single spaces and trim."""
    return SPACES.sub(" ", re.sub(r"\s+", " ", text)).strip()


def strip_bullet(line: str) -> str:
    return BULLET.sub("", line, count=1).strip()


def split_honorific(name: str) -> tuple[str | None, str]:
    """``"Cllr Claire Holland"`` -> ``("Cllr", "Claire Holland")``."""
    name = squash(name)
    m = HONORIFIC.match(name)
    if not m:
        return None, name
    return squash(m.group("title")), name[m.end():].strip()


def _date_from(m: re.Match, day_group: str = "day") -> PartialDate | None:
    try:
        year = int(m.group("year"))
        month_text = m.group("month")
        month = int(month_text) if month_text.isdigit() else MONTHS[month_text.lower().rstrip(".")]
        day = int(m.group(day_group)) if day_group in m.re.groupindex and m.group(day_group) else None
        if not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
            return None
        return PartialDate(year, month, day)
    except (KeyError, ValueError, IndexError):
        return None


@dataclass
class DateMatch:
    date: PartialDate
    end_date: PartialDate | None
    start: int
    end: int


def find_dates(text: str, *, years: bool = False) -> list[DateMatch]:
    """Dates in ``text``, most precise reading first at each position, in text order.

    Day spans ("7 – 8 October 2025") give a start and an end date. Bare years are
    included only with ``years=True``.
    """
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern in (DAY_MONTH_YEAR, MONTH_DAY_YEAR, ISO_DATE, NUMERIC_DATE, MONTH_YEAR):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            date = _date_from(m)
            if date is None:
                continue
            end_date = None
            if "day0" in pattern.groupindex and m.group("day0"):
                end_date = date
                month0 = MONTHS[m.group("month0").lower()] if m.group("month0") else date.month
                first = PartialDate(date.year, month0, int(m.group("day0")))
                if not 1 <= first.day <= 31:
                    continue
                date = first
            found.append(DateMatch(date, end_date, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if years:
        for m in YEAR.finditer(text):
            if free(m.start(), m.end()):
                found.append(DateMatch(PartialDate(int(m.group("year"))), None, m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str) -> PartialDate | None:
    """The first date in ``text`` (day, month or year precision), or None."""
    dates = find_dates(text, years=True)
    return dates[0].date if dates else None


@dataclass
class Amount:
    value: Decimal
    unit: str
    as_written: str
    start: int
    end: int


def find_money(text: str) -> list[Amount]:
    """Sterling amounts in ``text``, in whole pounds."""
    out = []
    for m in MONEY.finditer(text):
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            continue
        scale = (m.group("scale") or "").lower()
        value = value * SCALES.get(scale, 1)
        out.append(Amount(value.normalize() if value != value.to_integral() else value.quantize(Decimal(1)),
                          "GBP", m.group().strip(), m.start(), m.end()))
    return out


def find_percentages(text: str) -> list[Amount]:
    out = []
    for m in PERCENT.finditer(text):
        try:
            value = Decimal(m.group("num"))
        except InvalidOperation:
            continue
        out.append(Amount(value, "percent", m.group(), m.start(), m.end()))
    return out


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence that holds ``text[start:end]``."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), text.rfind("? ", 0, start))
    left = 0 if left < 0 else left + (1 if text[left] == "\n" else 2)
    candidates = [i for i in (text.find(". ", end), text.find("\n", end), text.find("? ", end)) if i >= 0]
    right = min(candidates) + 1 if candidates else len(text)
    if right > 0 and text[right - 1] == "\n":
        right -= 1
    return left, right
