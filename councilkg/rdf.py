"""Turn one :class:`~councilkg.model.Extraction` into the quads of its document's named graph.

Layout of a document graph (prefix ``ckg:``, see ``ontology/councilkg.ttl``):

* the document (``dct:``, ``ckg:kind``, ``ckg:sha256``), and the graph's provenance
  (``prov:wasDerivedFrom`` the document, loader name and version, load time);
* the council it is about (canonical name, GSS code, ``owl:sameAs`` ONS and Wikidata);
* the review, inspection or meeting it reports, and the original peer challenge it follows up;
* facts, each a resource with ``prov:wasDerivedFrom`` the document and ``ckg:evidence``
  an evidence resource holding the quote and its offsets.

People are named on their peer memberships and appointments (``ckg:personName``) but
not given person resources here: who is the same person across documents is decided
by :mod:`councilkg.linking`, with a recorded reason, in its own graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pyoxigraph as ox

from councilkg import reference
from councilkg.iri import Minter
from councilkg.loaders._concepts import concept_schemes
from councilkg.model import Extraction, PartialDate, Span
from councilkg.namespaces import (
    CKG, DCTERMS, ENTITIES_GRAPH, FOAF, ONS_GEOGRAPHY, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, WIKIDATA, XSD, term,
)

KIND_CLASSES = {
    "progress-review": (CKG.ProgressReviewReport, CKG.ProgressReview),
    "peer-challenge": (CKG.PeerChallengeReport, CKG.PeerChallenge),
    "cqc-assessment": (CKG.CQCAssessmentReport, CKG.CQCAssessment),
    "minutes": (CKG.Minutes, CKG.Meeting),
}
DEFAULT_CLASSES = (CKG.OtherDocument, CKG.Review)
#: Prefixes of Turtle and TriG output; :func:`prefixes` adds ``id:`` for the base IRI.
PREFIXES = {
    "ckg": str(CKG._NS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "risk": "https://w3id.org/councilkg/risk/",
    "intervention": "https://w3id.org/councilkg/intervention/",
}
#: Left out of data/ttl so that the same input always writes the same files.
VOLATILE = {str(PROV.generatedAtTime)}


@dataclass(frozen=True)
class SourceInfo:
    """What the core knows about a source file, beyond what its loader extracted."""

    name: str  # file name
    stem: str  # document key: the file name without its extension
    sha256: str
    loaded_at: datetime | None = None  # left out of the graph when None (golden files)


def literal(value: str | int | Decimal | PartialDate | datetime | bool) -> ox.Literal:
    """A typed literal: strings plain, numbers as xsd:integer/decimal, dates at their precision."""
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=term(XSD.boolean))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=term(XSD.integer))
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".") or "0"
        return ox.Literal(text, datatype=term(XSD.decimal))
    if isinstance(value, PartialDate):
        dtype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[value.precision]
        return ox.Literal(value.iso(), datatype=term(dtype))
    if isinstance(value, datetime):
        return ox.Literal(value.isoformat(timespec="seconds"), datatype=term(XSD.dateTime))
    return ox.Literal(str(value))


class DocumentGraph:
    """Collects the quads of one document's named graph."""

    def __init__(self, extraction: Extraction, source: SourceInfo, minter: Minter):
        self.x = extraction
        self.source = source
        self.mint = minter
        self.graph = minter.graph(source.stem)
        self.document = minter.document(source.stem)
        self.quads: list[ox.Quad] = []
        self.entities: list[ox.Quad] = []  # descriptions of shared entities, for ENTITIES_GRAPH
        self._seen: set[ox.Quad] = set()
        self._entity_graph = ox.NamedNode(ENTITIES_GRAPH)

    # -- primitives --------------------------------------------------------------
    def add(self, s: ox.NamedNode, p, o) -> None:
        """A triple of the document's own graph (None objects are left out)."""
        self._put(self.quads, self.graph, s, p, o)

    def a(self, s: ox.NamedNode, *classes) -> None:
        for cls in classes:
            self.add(s, RDF.type, term(cls))

    def describe(self, s: ox.NamedNode, p, o) -> None:
        """A triple describing a shared entity (a council, an organisation, an indicator).

        It goes to the one entities graph rather than into every document that names the
        entity: a union of document graphs would otherwise repeat it once per document,
        and every join over it would grow with the number of documents.
        """
        self._put(self.entities, self._entity_graph, s, p, o)

    def concept(self, node: ox.NamedNode, label: str, *classes) -> ox.NamedNode:
        """A SKOS concept shared by documents (an indicator, a quality statement), described once."""
        for cls in (*classes, SKOS.Concept):
            self.describe(node, RDF.type, term(cls))
        self.describe(node, SKOS.prefLabel, label)
        self.describe(node, RDFS.label, label)
        return node

    def _put(self, into: list[ox.Quad], graph: ox.NamedNode, s: ox.NamedNode, p, o) -> None:
        if o is None:
            return
        if not isinstance(o, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            o = term(o) if hasattr(o, "n3") else literal(o)
        quad = ox.Quad(s, term(p), o, graph)
        if quad not in self._seen:
            self._seen.add(quad)
            into.append(quad)

    def evidence(self, subject: ox.NamedNode, span: Span | None, primary: bool = True, derived: bool = True) -> None:
        """Attach ``span`` as evidence of ``subject`` and (for facts) derive ``subject`` from the document.

        The primary evidence (one per fact) is ``ckg:evidence``; further passages that
        support the same fact are ``ckg:moreEvidence``. Reviews (activities) and the
        document itself take ``derived=False``: they are not entities derived from it.
        """
        if derived:
            self.add(subject, PROV.wasDerivedFrom, self.document)
        if span is None:
            return
        node = Minter.under(self.document, "evidence", f"{span.start}-{span.end}")
        self.a(node, CKG.Evidence)
        self.add(node, CKG.quote, span.quote)
        self.add(node, CKG.startOffset, span.start)
        self.add(node, CKG.endOffset, span.end)
        self.add(node, CKG.line, span.line)
        if span.page is not None:
            self.add(node, CKG.page, span.page)
        self.add(node, CKG.inDocument, self.document)
        self.add(subject, CKG.evidence if primary else CKG.moreEvidence, node)

    # -- entities shared across documents ------------------------------------------
    def council(self, name_as_written: str) -> ox.NamedNode:
        """The council resource for a name as written, canonical where the reference data knows it."""
        found = reference.resolve_council(name_as_written)
        name = found.name if found else name_as_written
        node = self.mint.council(name)
        self.describe(node, RDF.type, term(CKG.Council))
        self.describe(node, RDF.type, term(ORG.Organization))
        self.describe(node, SKOS.prefLabel, name)
        self.describe(node, RDFS.label, name)
        if name_as_written != name:
            self.describe(node, SKOS.altLabel, name_as_written)
        if found:
            self.describe(node, CKG.gss, found.gss)
            self.describe(node, OWL.sameAs, ox.NamedNode(ONS_GEOGRAPHY + found.gss))
            if found.wikidata:
                self.describe(node, OWL.sameAs, ox.NamedNode(WIKIDATA + found.wikidata))
        return node

    def organisation(self, name_as_written: str) -> ox.NamedNode:
        """An employer or named body: a council if it is one, else a canonical or as-written organisation."""
        if reference.resolve_council(name_as_written):
            return self.council(name_as_written)
        found = reference.resolve_organisation(name_as_written)
        name = found.name if found else name_as_written
        node = self.mint.organisation(name)
        self.describe(node, RDF.type, term(ORG.Organization))
        self.describe(node, SKOS.prefLabel, name)
        self.describe(node, RDFS.label, name)
        if name_as_written != name:
            self.describe(node, SKOS.altLabel, name_as_written)
        return node



def document_quads(extraction: Extraction, source: SourceInfo, minter: Minter) -> list[ox.Quad]:
    """Every quad of the document's named graph, then the descriptions of the entities it names.

    The second part belongs to ``ENTITIES_GRAPH`` (see :meth:`DocumentGraph.describe`).
    """
    g = DocumentGraph(extraction, source, minter)
    x = extraction
    doc_class, review_class = KIND_CLASSES.get(x.kind, DEFAULT_CLASSES)

    # The document and the graph's provenance.
    g.a(g.document, CKG.Document, doc_class, FOAF.Document, PROV.Entity)
    g.add(g.document, CKG.kind, x.kind)
    g.add(g.document, CKG.sourceFile, source.name)
    g.add(g.document, CKG.sha256, source.sha256)
    g.add(g.document, DCTERMS.title, x.title)
    g.add(g.document, RDFS.label, x.title or source.stem)
    g.add(g.document, DCTERMS.date, x.date)
    g.add(g.graph, RDF.type, term(PROV.Entity))
    g.add(g.graph, PROV.wasDerivedFrom, g.document)
    g.add(g.graph, CKG.loader, x.loader)
    g.add(g.graph, CKG.loaderVersion, x.loader_version)
    g.add(g.graph, CKG.sha256, source.sha256)
    g.add(g.graph, CKG.sourceFile, source.name)
    g.add(g.graph, CKG.kind, x.kind)
    if source.loaded_at is not None:
        g.add(g.graph, PROV.generatedAtTime, source.loaded_at)
    if x.title_evidence:
        g.evidence(g.document, x.title_evidence, derived=False)

    council_node = council_name = None
    if x.council:
        council_node = g.council(x.council.name)
        council_name = _label_of(g, council_node)
        g.add(g.document, DCTERMS.subject, council_node)
        g.add(g.document, CKG.council, council_node)
        g.add(g.document, CKG.nameAsWritten, x.council.name)

    # The review (or inspection, or meeting) the document reports.
    review = minter.review(council_name or "unknown-council", x.kind, x.date, source.stem)
    g.a(review, CKG.Review, review_class)
    g.add(review, CKG.reportedIn, g.document)
    g.add(review, CKG.council, council_node)
    g.add(review, CKG.startDate, x.date)
    g.add(review, CKG.endDate, x.date_end)
    g.add(review, CKG.kind, x.kind)
    g.add(review, CKG.committee, x.committee)
    g.add(review, CKG.agendaItem, x.agenda_item)
    g.add(review, RDFS.label, _review_label(x, council_name))
    g.evidence(review, x.date_evidence, derived=False)
    g.add(g.document, CKG.review, review)
    if x.original_review_date:
        original = minter.review(council_name or "unknown-council", "peer-challenge", x.original_review_date, source.stem)
        g.a(original, CKG.Review, CKG.PeerChallenge)
        g.add(original, CKG.council, council_node)
        g.add(original, CKG.startDate, x.original_review_date)
        g.add(original, CKG.kind, "peer-challenge")
        g.add(original, RDFS.label, f"Corporate Peer Challenge, {x.original_review_date.iso()}")
        g.evidence(original, x.original_review_evidence, derived=False)
        g.add(review, CKG.followsUp, original)
    if x.recommendation_count is not None:
        g.add(review, CKG.recommendationCount, x.recommendation_count)
    if x.rating:
        g.add(review, CKG.rating, x.rating.value)

    ctx = _Context(g, review, council_node)
    _peers(ctx)
    _recommendations(ctx)
    _self_assessment(ctx)
    _concepts(ctx)
    _money_and_metrics(ctx)
    _people_and_organisations(ctx)
    _events_claims_statements(ctx)
    return g.quads + g.entities


@dataclass
class _Context:
    g: DocumentGraph
    review: ox.NamedNode
    council: ox.NamedNode | None

    def fact(self, node: ox.NamedNode, cls, span: Span | None) -> ox.NamedNode:
        self.g.a(node, cls)
        self.g.add(node, CKG.council, self.council)
        self.g.evidence(node, span)
        return node


def source_label(g: DocumentGraph) -> str:
    return g.x.title or g.source.name


def _label_of(g: DocumentGraph, node: ox.NamedNode) -> str:
    for q in g.entities:
        if q.subject == node and q.predicate == term(SKOS.prefLabel):
            return q.object.value
    return node.value


def _review_label(x: Extraction, council: str | None) -> str:
    what = {"progress-review": "Progress review", "peer-challenge": "Corporate Peer Challenge",
            "cqc-assessment": "CQC assessment", "minutes": "Meeting"}.get(
        x.kind, "Review"
    )
    when = x.date.iso() if x.date else None
    return ", ".join(p for p in (what, council, when) if p)


def _peers(ctx: _Context) -> None:
    g, x = ctx.g, ctx.g.x
    if not x.peers:
        return
    team = Minter.under(ctx.review, "peer-team")
    g.a(team, CKG.PeerTeam, ORG.Organization)
    g.add(team, RDFS.label, "Peer team")
    g.add(ctx.review, CKG.peerTeam, team)
    for peer in x.peers:
        membership = Minter.under(ctx.review, "peer", peer.name)
        ctx.fact(membership, CKG.PeerMembership, peer.evidence)
        g.a(membership, ORG.Membership)
        g.add(membership, CKG.personName, peer.name)  # who it is, across documents: linking.py
        g.add(membership, ORG.organization, team)
        g.add(membership, CKG.review, ctx.review)
        g.add(membership, CKG.honorific, peer.honorific)
        g.add(membership, CKG.jobTitle, peer.role)
        g.add(membership, CKG.peerRole, peer.peer_role)
        g.add(membership, CKG.statutoryRole, peer.statutory_role)
        if peer.organisation:
            g.add(membership, CKG.employerName, peer.organisation)
            g.add(membership, CKG.employer, g.organisation(peer.organisation))


def _recommendations(ctx: _Context) -> None:
    from councilkg import themes  # theme rules are read once, on first use

    g, x = ctx.g, ctx.g.x
    for rec in x.recommendations:
        node = ctx.fact(Minter.under(ctx.review, "recommendation", rec.number), CKG.Recommendation, rec.evidence)
        g.add(node, CKG.review, ctx.review)
        g.add(node, CKG.number, rec.number)
        g.add(node, CKG.shortTitle, rec.title)
        g.add(node, RDFS.label, f"Recommendation {rec.number}: {rec.title}")
        g.add(node, CKG.fullText, rec.text)
        g.add(node, CKG.themeLabel, rec.theme)
        for variant in rec.title_variants:
            g.add(node, CKG.titleVariant, variant)
        themes.add_to_graph(g, node, rec)  # ckg:theme and a ckg:ThemeAssignment per theme
        g.add(ctx.review, CKG.recommendation, node)
        if rec.finding:
            finding = ctx.fact(Minter.under(node, "finding"), CKG.ProgressFinding, rec.finding.evidence)
            g.add(finding, CKG.recommendation, node)
            g.add(finding, CKG.summary, rec.finding.summary)
            g.add(finding, CKG.councilRating, rec.finding.council_rating)
            g.add(node, CKG.finding, finding)


def _self_assessment(ctx: _Context) -> None:
    g, sa = ctx.g, ctx.g.x.self_assessment
    if sa is None:
        return
    node = ctx.fact(Minter.under(ctx.review, "self-assessment"), CKG.SelfAssessment, sa.evidence)
    g.add(node, CKG.scheme, sa.scheme)
    g.add(ctx.review, CKG.selfAssessment, node)
    for category in sorted(set(sa.counts) | set(sa.percentages)):
        entry = Minter.under(node, category)
        g.a(entry, CKG.SelfAssessmentEntry)
        g.add(entry, CKG.category, category)
        if category in sa.counts:
            g.add(entry, CKG.count, int(sa.counts[category]))
        if category in sa.percentages:
            g.add(entry, CKG.percentage, Decimal(sa.percentages[category]))
        g.add(node, CKG.entry, entry)
    if sa.peer_view:
        view = ctx.fact(Minter.under(node, "peer-view"), CKG.Statement, sa.peer_view)
        g.add(view, CKG.category, "peer-view")


def _concepts(ctx: _Context) -> None:
    g, x = ctx.g, ctx.g.x
    for mention in x.risks:
        node = ctx.fact(Minter.under(g.document, "risk", mention.notation), CKG.RiskMention, mention.evidence)
        g.add(node, CKG.riskType, Minter.risk(mention.notation))
        for span in mention.more_evidence:
            g.evidence(node, span, primary=False)
    for mention in x.interventions:
        node = ctx.fact(Minter.under(g.document, "intervention", mention.notation), CKG.Intervention, mention.evidence)
        g.add(node, CKG.interventionType, Minter.intervention(mention.notation))
        g.add(node, CKG.date, mention.date)
        g.add(node, CKG.outcome, mention.outcome)
        for span in mention.more_evidence:
            g.evidence(node, span, primary=False)


def _money_and_metrics(ctx: _Context) -> None:
    g, x = ctx.g, ctx.g.x
    for fact in x.financial_facts:
        key = (fact.measure, fact.period or "", str(fact.value), fact.evidence.start)
        node = ctx.fact(Minter.under(g.document, "financial-fact", *key), CKG.FinancialFact, fact.evidence)
        g.add(node, CKG.measure, fact.measure)
        g.add(node, CKG.period, fact.period)
        g.add(node, CKG.value, Decimal(fact.value))
        g.add(node, CKG.unit, fact.unit)
        g.add(node, CKG.valueAsWritten, fact.value_as_written)
    dataset = Minter.under(g.document, "dataset")
    if x.observations:
        g.a(dataset, QB.DataSet)
        g.add(dataset, QB.structure, term(CKG.ObservationStructure))
        g.add(dataset, RDFS.label, f"Statistics stated in {source_label(g)}")
        g.add(dataset, PROV.wasDerivedFrom, g.document)
    for obs in x.observations:
        node = Minter.under(g.document, "observation", obs.indicator, obs.period or "", obs.evidence.start)
        ctx.fact(node, QB.Observation, obs.evidence)
        g.add(node, QB.dataSet, dataset)
        indicator = g.concept(g.mint.indicator(obs.indicator), obs.indicator, CKG.Indicator)
        g.add(node, CKG.indicator, indicator)
        g.add(node, CKG.period, obs.period)
        g.add(node, CKG.value, Decimal(obs.value))
        g.add(node, CKG.unit, obs.unit)
        g.add(node, CKG.comparator, obs.comparator)
        if obs.comparator_value is not None:
            g.add(node, CKG.comparatorValue, Decimal(obs.comparator_value))
        g.add(node, CKG.direction, obs.direction)
        g.add(node, CKG.dataSource, obs.source)
    for qs in x.quality_statements:
        node = ctx.fact(Minter.under(ctx.review, "quality-statement", qs.name), CKG.QualityStatementScore, qs.evidence)
        statement = g.concept(g.mint.quality_statement(qs.name), qs.name)
        g.add(node, CKG.review, ctx.review)
        g.add(node, CKG.qualityStatement, statement)
        g.add(node, RDFS.label, qs.name)
        g.add(node, CKG.score, int(qs.score))
        g.add(node, CKG.scoreWording, qs.wording)
        g.add(node, CKG.qualityTheme, qs.theme)
        for variant in qs.name_variants:
            g.add(node, CKG.nameVariant, variant)


def _people_and_organisations(ctx: _Context) -> None:
    g, x = ctx.g, ctx.g.x
    for i, mention in enumerate(x.people):
        if mention.name:
            node = ctx.fact(Minter.under(g.document, "appointment", mention.name), CKG.Appointment, mention.evidence)
            g.add(node, CKG.personName, mention.name)
        else:
            key = mention.role or f"office-holder-{i}"
            node = ctx.fact(Minter.under(g.document, "office-holder", key), CKG.OfficeHolderMention, mention.evidence)
        g.add(node, CKG.jobTitle, mention.role)
        g.add(node, CKG.honorific, mention.honorific)
        if mention.organisation:
            g.add(node, CKG.employerName, mention.organisation)
            g.add(node, CKG.employer, g.organisation(mention.organisation))
    for mention in x.organisations:
        node = ctx.fact(
            Minter.under(g.document, "organisation-mention", mention.name), CKG.OrganisationMention, mention.evidence
        )
        g.add(node, CKG.organisation, g.organisation(mention.name))
        g.add(node, CKG.nameAsWritten, mention.name)


def _events_claims_statements(ctx: _Context) -> None:
    g, x = ctx.g, ctx.g.x
    for event in x.events:
        node = Minter.under(g.document, "event", event.label, event.date.iso(), event.evidence.start)
        ctx.fact(node, CKG.Event, event.evidence)
        g.add(node, RDFS.label, event.label)
        g.add(node, CKG.date, event.date)
        scheme = concept_schemes().get(event.notation or "")
        if scheme:
            concept = Minter.risk if scheme == "risk" else Minter.intervention
            g.add(node, CKG.eventType, concept(event.notation))
    council = _label_of(g, ctx.council) if ctx.council else "unknown council"
    for claim in x.claims:
        node = Minter.under(g.document, "claim", claim.subject, claim.property, claim.value, claim.evidence.start)
        ctx.fact(node, CKG.Claim, claim.evidence)
        # The subject names its scope, so that only claims about the same thing meet.
        where = council if claim.scope == "council" else f"{council}, {x.title or g.source.stem}"
        g.add(node, CKG.claimSubject, f"{where}: {claim.subject}")
        g.add(node, CKG.claimProperty, claim.property)
        g.add(node, CKG.claimValue, claim.value)
    for statement in [*x.topics, *x.statements]:
        node = Minter.under(g.document, "statement", statement.category, statement.evidence.start)
        ctx.fact(node, CKG.Statement, statement.evidence)
        g.add(node, CKG.category, statement.category)


def prefixes(base: str) -> dict[str, str]:
    """:data:`PREFIXES` and ``id:`` for the base IRI of minted resources."""
    return {**PREFIXES, "id": base}


def turtle(triples, base: str) -> bytes:
    """Triples (or quads, graph names ignored) as Turtle: the same bytes for the same triples.

    Sorted, each once, without volatile provenance (the load time), so that a document's
    file in data/ttl changes only when its facts do, whichever process wrote it.
    """
    unique = {ox.Triple(t.subject, t.predicate, t.object) for t in triples if t.predicate.value not in VOLATILE}
    return ox.serialize(sorted(unique, key=str), format=ox.RdfFormat.TURTLE, prefixes=prefixes(base))
