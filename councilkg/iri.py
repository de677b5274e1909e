"""The only place IRIs are minted: readable paths under one configurable base, from canonical keys.

The same key always gives the same IRI, so loading a document twice gives the same
resources. Keys are slugs of canonical names (councils, people, organisations) or
of the source file's stem (documents); facts hang under their document or review.
"""

from __future__ import annotations

import re
import unicodedata

import pyoxigraph as ox

from councilkg.model import PartialDate
from councilkg.namespaces import DEFAULT_BASE_IRI, INTERVENTION_NS, RISK_NS

# Characters other than ASCII letters and digits become hyphens.
NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "unnamed") -> str:
    """``"London Borough of Camden"`` -> ``"london-borough-of-camden"`` (ASCII, lower case)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.replace("&", " and ").replace("'", "")
    out = NON_SLUG.sub("-", text.lower()).strip("-")
    return out[:80].rstrip("-") or fallback


class Minter:
    """Mints resource IRIs under ``base``."""

    def __init__(self, base: str = DEFAULT_BASE_IRI):
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def _iri(self, *parts: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + "/".join(parts))

    def council(self, canonical_name: str) -> ox.NamedNode:
        return self._iri("council", slug(canonical_name))

    def person(self, key: str) -> ox.NamedNode:
        return self._iri("person", slug(key))

    def organisation(self, canonical_name: str) -> ox.NamedNode:
        return self._iri("organisation", slug(canonical_name))

    def document(self, stem: str) -> ox.NamedNode:
        return self._iri("document", slug(stem))

    def graph(self, stem: str) -> ox.NamedNode:
        return self._iri("graph", slug(stem))

    def review(self, council_name: str, kind: str, date: PartialDate | None, document_stem: str) -> ox.NamedNode:
        """A review, inspection or meeting: by council, kind and date; by document where undated."""
        when = date.iso() if date else "document-" + slug(document_stem)
        return self._iri("council", slug(council_name), slug(kind), when)

    def indicator(self, label: str) -> ox.NamedNode:
        return self._iri("indicator", slug(label))

    def quality_statement(self, name: str) -> ox.NamedNode:
        return self._iri("quality-statement", slug(name))

    @staticmethod
    def under(parent: ox.NamedNode, *parts: str | int) -> ox.NamedNode:
        """A resource that exists only as part of ``parent`` (a recommendation of a review)."""
        return ox.NamedNode(parent.value + "/" + "/".join(slug(str(p), "x") for p in parts))

    @staticmethod
    def risk(notation: str) -> ox.NamedNode:
        return ox.NamedNode(RISK_NS + notation)

    @staticmethod
    def intervention(notation: str) -> ox.NamedNode:
        return ox.NamedNode(INTERVENTION_NS + notation)

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)
