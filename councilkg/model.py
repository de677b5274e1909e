"""Model objects that loaders return: plain dataclasses, no RDF.

A loader reads a document and returns one :class:`Extraction`. Every fact in it
carries a :class:`Span`, the quoted evidence with its position in the source.
The core (``rdf.py``) turns an extraction into quads; loaders never see IRIs.

Names are stored as written in the document (trimmed, honorifics split off);
canonical forms are the linker's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal


@dataclass(frozen=True)
class Span:
    """Quoted evidence: the text and where it stands in the source.

    ``start``/``end`` are character offsets into the decoded source text (not the
    cleaned text the loader reads), ``line`` is the 1-based line of ``start`` in
    the source, ``page`` the page for paginated formats.
    """

    quote: str
    start: int
    end: int
    line: int
    page: int | None = None


@dataclass(frozen=True)
class PartialDate:
    """A date only as precise as the text: a year, a month or a day.

    Dates order by their earliest possible day: ``2024`` < ``2024-01`` < ``2024-01-05``, so
    a less precise date sorts before the more precise dates inside it.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")

    def _key(self) -> tuple[int, int, int]:
        return self.year, self.month or 0, self.day or 0

    def __lt__(self, other: "PartialDate") -> bool:
        return self._key() < other._key()

    def __le__(self, other: "PartialDate") -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: "PartialDate") -> bool:
        return self._key() > other._key()

    def __ge__(self, other: "PartialDate") -> bool:
        return self._key() >= other._key()

    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"


@dataclass
class CouncilMention:
    """The council a document is about, as written."""

    name: str
    evidence: Span


@dataclass
class Peer:
    """A member of a peer team, with job title and employer at that time."""

    name: str
    evidence: Span
    honorific: str | None = None
    role: str | None = None  # job title as written
    organisation: str | None = None  # employer as written
    peer_role: str | None = None  # peer-team label, e.g. "Senior Officer Peer"
    statutory_role: str | None = None  # e.g. "Monitoring Officer", "S151 officer"


@dataclass
class Finding:
    """The peers' view of progress on a recommendation."""

    summary: str  # a short verbatim phrase
    evidence: Span  # the passage the phrase comes from
    council_rating: str | None = None  # the council's own RAG rating, where given


@dataclass
class Recommendation:
    number: int
    title: str  # the short title, as first written
    evidence: Span
    text: str | None = None  # the full recommendation
    theme: str | None = None  # the group it is listed under, as written
    title_variants: list[str] = field(default_factory=list)
    finding: Finding | None = None


@dataclass
class SelfAssessment:
    """The council's own view of its progress: RAG counts or action-plan shares."""

    evidence: Span
    scheme: str  # "rag" or "action-plan"
    counts: dict[str, int] = field(default_factory=dict)  # green/amber/red/total
    percentages: dict[str, Decimal] = field(default_factory=dict)  # complete/on-track/...
    peer_view: Span | None = None


@dataclass
class ConceptMention:
    """A risk or intervention evidenced in the text, typed by a taxonomy notation."""

    scheme: str  # "risk" or "intervention"
    notation: str  # skos:notation, e.g. "asc-overspend"
    evidence: Span
    date: PartialDate | None = None
    outcome: str | None = None  # e.g. an inspection judgement
    more_evidence: list[Span] = field(default_factory=list)


@dataclass
class FinancialFact:
    measure: str
    value: Decimal
    unit: str  # "GBP" or "percent"
    value_as_written: str
    evidence: Span
    period: str | None = None  # as written


@dataclass
class PersonMention:
    """A named person other than a peer (adviser, chief executive, ...)."""

    name: str | None
    evidence: Span
    role: str | None = None
    organisation: str | None = None
    honorific: str | None = None


@dataclass
class OrganisationMention:
    name: str
    evidence: Span


@dataclass
class Event:
    """Something that happened at a stated date (a cyber-attack, a system going live)."""

    label: str
    date: PartialDate
    evidence: Span
    notation: str | None = None  # a risk/intervention notation it instantiates


@dataclass
class Observation:
    """A statistic with its comparator (Data Cube observation)."""

    indicator: str
    value: Decimal
    unit: str  # "percent", "days", "count", "GBP", "minutes", ...
    evidence: Span
    period: str | None = None
    comparator: str | None = None  # e.g. "England average", "three years earlier"
    comparator_value: Decimal | None = None
    direction: str | None = None  # wording such as "somewhat worse"
    source: str | None = None  # the survey or data set


@dataclass
class QualityStatement:
    """A CQC quality statement score."""

    name: str
    score: int  # 1-4
    evidence: Span
    theme: str | None = None
    wording: str | None = None  # e.g. "Evidence shows some shortfalls"
    name_variants: list[str] = field(default_factory=list)


@dataclass
class Rating:
    """An overall judgement by an inspectorate (CQC rating, Ofsted judgement)."""

    value: str
    evidence: Span
    scheme: str = "cqc"


@dataclass
class Statement:
    """A finding that is not tied to a recommendation (strength, area for development)."""

    category: str  # "strength", "area-for-development", ...
    evidence: Span


@dataclass
class Claim:
    """A stated value of some fact, kept so that disagreeing sources can be found.

    ``subject`` and ``property`` are keys compared across claims (e.g. subject
    "cyber-attack", property "year"). ``scope`` says where a different value is a
    conflict: anywhere about the same council ("council"), or only within the same
    document ("document": a recommendation's title, a running total as of a date).
    """

    subject: str
    property: str
    value: str
    evidence: Span
    scope: str = "council"


@dataclass
class Extraction:
    """Everything one loader found in one document."""

    kind: str
    loader: str
    loader_version: str
    council: CouncilMention | None = None
    title: str | None = None
    title_evidence: Span | None = None
    date: PartialDate | None = None
    date_end: PartialDate | None = None
    date_evidence: Span | None = None
    original_review_date: PartialDate | None = None  # when the original peer challenge took place
    original_review_evidence: Span | None = None
    committee: str | None = None
    agenda_item: str | None = None
    topics: list[Statement] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    recommendation_count: int | None = None
    recommendation_count_evidence: Span | None = None
    self_assessment: SelfAssessment | None = None
    risks: list[ConceptMention] = field(default_factory=list)
    interventions: list[ConceptMention] = field(default_factory=list)
    financial_facts: list[FinancialFact] = field(default_factory=list)
    people: list[PersonMention] = field(default_factory=list)
    organisations: list[OrganisationMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    quality_statements: list[QualityStatement] = field(default_factory=list)
    rating: Rating | None = None
    statements: list[Statement] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fact_count(self) -> int:
        """How many facts were found (for reports)."""
        n = 0
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list) and f.name != "warnings":
                n += len(value)
        return n
