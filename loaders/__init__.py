"""Loaders: one class per document kind, found through a small registry.

A loader has four parts (see ``docs`` in the README):

``kind``
    the contract string (``progress-review``, ``peer-challenge``, ``cqc-assessment``, ``minutes``, ...);
``version``
    bumped whenever its output changes, recorded in each graph's provenance;
``detect(text)``
    a confidence between 0 and 1 that ``text`` is of its kind, or None;
``extract(document)``
    model objects (:mod:`councilkg.model`) with evidence spans; never RDF.

Built-in loaders are listed in :data:`BUILTIN`; other packages add theirs through the
``councilkg.loaders`` entry-point group, with the same lazy ``module:Class`` form.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

from councilkg.errors import DocumentRejected
from councilkg.model import Extraction, Span
from councilkg.loaders._text import CleanText

#: Built-in loaders, as ``kind: "module:Class"``; imported only when first used.
BUILTIN: dict[str, str] = {
    "progress-review": "councilkg.loaders.progress_review:ProgressReviewLoader",
    "peer-challenge": "councilkg.loaders.peer_challenge:PeerChallengeLoader",
    "cqc-assessment": "councilkg.loaders.cqc_assessment:CqcAssessmentLoader",
    "minutes": "councilkg.loaders.minutes:MinutesLoader",
}
#: A document whose best detection score is below this is rejected.
DETECTION_THRESHOLD = 0.5


@dataclass
class Document:
    """A decoded source document, as the loaders see it."""

    name: str
    source: str
    path: Path | None = None
    pages: list[int] = field(default_factory=list)  # source offsets where pages start
    _clean: CleanText | None = field(default=None, repr=False)

    @property
    def clean(self) -> CleanText:
        if self._clean is None:
            self._clean = CleanText(self.source)
        return self._clean

    @property
    def text(self) -> str:
        """The cleaned text loaders read."""
        return self.clean.text

    def span(self, start: int, end: int) -> Span:
        """Evidence for ``self.text[start:end]`` with its source position (and page)."""
        span = self.clean.span(start, end)
        if self.pages:
            import bisect

            page = bisect.bisect_right(self.pages, span.start)
            span = Span(span.quote, span.start, span.end, span.line, page)
        return span


class Loader:
    """Base class of loaders. Subclasses set ``kind`` and ``version`` and override both methods."""

    kind: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    #: a one-line description for ``--help`` and ``inspect``
    description: ClassVar[str] = ""

    def detect(self, text: str) -> float | None:
        raise NotImplementedError

    def extract(self, document: Document) -> Extraction:
        raise NotImplementedError

    def new_extraction(self) -> Extraction:
        return Extraction(kind=self.kind, loader=type(self).__name__, loader_version=self.version)


def _load_class(spec: str) -> type[Loader]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@cache
def registry() -> dict[str, Loader]:
    """Every available loader by kind: the built-in ones, then entry points."""
    specs = dict(BUILTIN)
    for ep in entry_points(group="councilkg.loaders"):
        specs.setdefault(ep.name, ep.value)
    return {kind: _load_class(spec)() for kind, spec in specs.items()}


def detection_scores(text: str) -> dict[str, float]:
    """Each loader's confidence that ``text`` is its kind (0 where it says None)."""
    scores = {}
    for kind, loader in registry().items():
        score = loader.detect(text)
        scores[kind] = float(score) if score else 0.0
    return scores


def detect(document: Document) -> tuple[Loader, dict[str, float]]:
    """The loader for a document, and every loader's score; rejects unrecognised text."""
    scores = detection_scores(document.text)
    kind = max(scores, key=lambda k: scores[k]) if scores else None
    if kind is None or scores[kind] < DETECTION_THRESHOLD:
        supported = ", ".join(sorted(registry()))
        raise DocumentRejected(document.name, f"not a recognised document kind (supported: {supported})")
    return registry()[kind], scores
