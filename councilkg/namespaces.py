"""Vocabulary terms, from closed namespaces: a misspelt term fails at import, not in the graph.

``CKG`` is councilkg's own ontology (``ontology/councilkg.ttl`` defines every term
listed here); the rest are the W3C and community vocabularies it reuses.
"""

from __future__ import annotations

from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace

ONTOLOGY_IRI = "https://w3id.org/councilkg/ontology"
DEFAULT_BASE_IRI = "https://w3id.org/councilkg/id/"
RISK_NS = "https://w3id.org/councilkg/risk/"
INTERVENTION_NS = "https://w3id.org/councilkg/intervention/"
THEME_NS = "https://w3id.org/councilkg/theme/"
ONTOLOGY_GRAPH = "https://w3id.org/councilkg/graph/ontology"
INFERRED_GRAPH = "https://w3id.org/councilkg/graph/inferred"
LINKS_GRAPH = "https://w3id.org/councilkg/graph/links"
ENTITIES_GRAPH = "https://w3id.org/councilkg/graph/entities"
SIMILARITY_GRAPH = "https://w3id.org/councilkg/graph/similarity"
ONS_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
WIKIDATA = "http://www.wikidata.org/entity/"


class CKG(DefinedNamespace):
    """councilkg's ontology: only the domain terms the W3C vocabularies lack."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes: organisations and people
    Council: URIRef
    PeerTeam: URIRef
    PeerMembership: URIRef
    Appointment: URIRef
    OfficeHolderMention: URIRef
    OrganisationMention: URIRef
    # classes: documents
    Document: URIRef
    ProgressReviewReport: URIRef
    PeerChallengeReport: URIRef
    CQCAssessmentReport: URIRef
    Minutes: URIRef
    OtherDocument: URIRef
    # classes: reviews and what they find
    Review: URIRef
    PeerChallenge: URIRef
    ProgressReview: URIRef
    Inspection: URIRef
    CQCAssessment: URIRef
    Meeting: URIRef
    Recommendation: URIRef
    ProgressFinding: URIRef
    SelfAssessment: URIRef
    SelfAssessmentEntry: URIRef
    QualityStatementScore: URIRef
    Statement: URIRef
    IdentityDecision: URIRef
    # classes: risks, interventions, money, metrics, events, claims
    RiskMention: URIRef
    Intervention: URIRef
    FinancialFact: URIRef
    Indicator: URIRef
    Event: URIRef
    Claim: URIRef
    Evidence: URIRef
    # classes: themes (ontology/themes.ttl)
    ThemeAssignment: URIRef
    ThemeRule: URIRef
    SimilarityLink: URIRef
    # object properties
    council: URIRef
    review: URIRef
    followsUp: URIRef
    reportedIn: URIRef
    peerTeam: URIRef
    employer: URIRef
    recommendation: URIRef
    finding: URIRef
    selfAssessment: URIRef
    entry: URIRef
    riskType: URIRef
    interventionType: URIRef
    eventType: URIRef
    indicator: URIRef
    evidence: URIRef
    moreEvidence: URIRef
    inDocument: URIRef
    organisation: URIRef
    person: URIRef
    theme: URIRef
    themeAssignment: URIRef
    assignedTheme: URIRef
    firedRule: URIRef
    linkedRecommendation: URIRef
    sharedTheme: URIRef
    # datatype properties
    kind: URIRef
    gss: URIRef
    sourceFile: URIRef
    sha256: URIRef
    loader: URIRef
    loaderVersion: URIRef
    nameAsWritten: URIRef
    personName: URIRef
    reason: URIRef
    mention: URIRef
    honorific: URIRef
    jobTitle: URIRef
    employerName: URIRef
    peerRole: URIRef
    statutoryRole: URIRef
    number: URIRef
    shortTitle: URIRef
    titleVariant: URIRef
    fullText: URIRef
    themeLabel: URIRef
    summary: URIRef
    councilRating: URIRef
    recommendationCount: URIRef
    scheme: URIRef
    category: URIRef
    count: URIRef
    percentage: URIRef
    startDate: URIRef
    endDate: URIRef
    date: URIRef
    outcome: URIRef
    measure: URIRef
    period: URIRef
    value: URIRef
    unit: URIRef
    valueAsWritten: URIRef
    comparator: URIRef
    comparatorValue: URIRef
    direction: URIRef
    dataSource: URIRef
    qualityStatement: URIRef
    qualityTheme: URIRef
    score: URIRef
    scoreWording: URIRef
    nameVariant: URIRef
    rating: URIRef
    committee: URIRef
    agendaItem: URIRef
    claimSubject: URIRef
    claimProperty: URIRef
    claimValue: URIRef
    quote: URIRef
    startOffset: URIRef
    endOffset: URIRef
    line: URIRef
    page: URIRef
    matchPattern: URIRef
    excludePattern: URIRef
    datedEvent: URIRef
    judged: URIRef
    # theme assignments, theme rules and similarity links (ontology/themes.ttl)
    themeScore: URIRef
    themeRank: URIRef
    method: URIRef
    similarityScore: URIRef
    themeOverlap: URIRef
    textSimilarity: URIRef
    themeRule: URIRef
    rulePattern: URIRef
    ruleWeight: URIRef
    # named individuals: the taxonomies' concept schemes and the Data Cube structure of observations
    RiskScheme: URIRef
    InterventionScheme: URIRef
    ObservationStructure: URIRef
    ThemeScheme: URIRef


__all__ = ["CKG", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "QB", "RDF", "RDFS", "SKOS", "XSD", "term"]


@cache
@lru_cache(maxsize=4096)
def term(uri: str) -> ox.NamedNode:
    """A pyoxigraph node for a vocabulary term (``term(CKG.Council)``), made once: every fact repeats them."""
    return ox.NamedNode(str(uri))
