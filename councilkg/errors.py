"""The exceptions councilkg raises. Each message names the file or query and says what would fix it."""


class CouncilKGError(Exception):
    """Base class of every error councilkg raises on purpose."""


class DocumentRejected(CouncilKGError):
    """A document cannot be loaded: unreadable, empty, binary or of no supported kind."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class QueryNotFound(CouncilKGError):
    """No saved query has that name and no such .rq file exists."""


class QueryParameterError(CouncilKGError):
    """A --param value is malformed or names no declared parameter."""


class QueryError(CouncilKGError):
    """The SPARQL engine refused a query (syntax error, unsupported feature)."""


class StoreError(CouncilKGError):
    """The store cannot be opened or written (locked, unreachable, corrupt)."""


class ValidationFailed(CouncilKGError):
    """The graph violates the SHACL shapes; the message holds the readable report."""

    def __init__(self, report: str):
        super().__init__(report)
        self.report = report


class InconsistentOntology(CouncilKGError):
    """The OWL ontology is inconsistent, or has a class that can have no members, as HermiT finds it."""
