"""The gold seeds (../shared/gold/seeds.json, copied to tests/gold/seeds.json) and how to compare with them.

Text matching follows ../shared/gold/README.md: runs of white space become one space,
markdown ``**`` goes, curly quotes become straight, titles compare without case.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = HERE.parent / "data" / "sources"
SEEDS = HERE / "gold" / "seeds.json"
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def norm(text: str | None) -> str:
    """Normalise text for comparison with the gold (case-insensitive)."""
    if text is None:
        return ""
    text = text.replace("**", "").translate(QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


@cache
def seeds() -> dict:
    return json.loads(SEEDS.read_text(encoding="utf-8"))


def gold_document(file: str) -> dict:
    return next(d for d in seeds()["documents"] if d["file"] == file)


@dataclass
class Score:
    """Precision and recall of a set of extracted keys against required/optional gold keys."""

    name: str
    true_positive: int
    false_positive: int
    false_negative: int
    missed: list
    extra: list

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    def __str__(self) -> str:
        return (
            f"{self.name}: precision {self.precision:.2f} recall {self.recall:.2f} "
            f"(tp {self.true_positive}, fp {self.false_positive}, fn {self.false_negative})"
            + (f" missed={self.missed}" if self.missed else "")
            + (f" extra={self.extra}" if self.extra else "")
        )


def score(name: str, found: set, required: set, optional: set = frozenset()) -> Score:
    """Score found keys: optional gold keys count neither for nor against."""
    tp = found & required
    fp = found - required - set(optional)
    fn = required - found
    return Score(name, len(tp), len(fp), len(fn), sorted(map(str, fn)), sorted(map(str, fp)))
