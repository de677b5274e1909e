"""Saved SPARQL queries (the ``queries/*.rq`` files, package ``councilkg.queries``): headers, binding, running.

A header looks like::

    # title: Peer-team members
    # description: One row per peer on each review, with role and employer as written.
    # param: council council optional -- limit to one council

A ``param`` line gives the parameter name, its type (``iri``, ``council``, ``string``,
``integer``, ``date``), ``optional`` or ``required``, optionally ``default=VALUE`` and
``var=VARIABLE`` (the variable it binds, when not the same as its name), and help after ``--``.
Values become RDF terms (:func:`bind`) and go in as VALUES blocks that pyoxigraph's term
syntax writes (:func:`with_parameters`); the parameter text is never pasted into the query.
A bound variable must be projected by the SELECT clause. :func:`run` sorts the rows of a
final ORDER BY in Python (:func:`_ordering`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from councilkg import reference
from councilkg.errors import QueryError, QueryNotFound, QueryParameterError
from councilkg.iri import Minter
from councilkg.namespaces import XSD
from councilkg.store import RemoteStore

# "# key: value" header lines at the top of a .rq file.
HEADER_LINE = re.compile(r"^#\s*(?P<key>title|description|param)\s*:\s*(?P<value>.*)$")
# "name type optional|required [default=VALUE] -- help"
PARAM_SPEC = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>iri|council|string|integer|date)\s+(?P<need>optional|required)"
    r"(?:\s+default=(?P<default>\S+))?(?:\s+var=(?P<var>[A-Za-z_]\w*))?\s*(?:--\s*(?P<help>.*))?$"
)
# A KEY=VALUE --param.
PARAM_ARG = re.compile(r"^(?P<key>[A-Za-z_]\w*)=(?P<value>.*)$", re.S)
# SELECT projection (to check that bound variables are projected).
SELECT_CLAUSE = re.compile(r"\bSELECT\b(?P<proj>.*?)\bWHERE\b", re.I | re.S)
VARIABLE = re.compile(r"[?$](\w+)")
# An innermost "(expression AS ?var)" in a projection.
AS_EXPRESSION = re.compile(r"\((?:[^()]|\([^()]*\))*?\s+AS\s+[?$](?P<var>\w+)\s*\)", re.I)
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# IRIs, string literals and comments, masked before looking for keywords and braces.
_MASKED = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_WHERE = re.compile(r"\bWHERE\b", re.I)
_UNION_END = re.compile(r"\bUNION\s*$", re.I)
_UNION_START = re.compile(r"\s*UNION\b", re.I)
# A group that is a sub-select; its projected variables computed with AS; LIMIT or OFFSET after it.
_SUBSELECT = re.compile(r"\s*SELECT\b(?:\s+(?:DISTINCT|REDUCED)\b)?", re.I)
_PLAIN_PROJECTION = re.compile(r"\((?:[^()]|\([^()]*\))*\)")
_LIMIT = re.compile(r"\b(?:LIMIT|OFFSET)\b", re.I)
# A keyword right before a group that makes it other than a plain join (OPTIONAL, MINUS, GRAPH ?g...).
_KEYWORD_BEFORE = re.compile(r"\b(?:OPTIONAL|MINUS|EXISTS|SERVICE(?:\s+SILENT)?|GRAPH)\s*(?:[?$]\w+\s*|<\s*>\s*|\S+:\S*\s*)?$", re.I)
# A final ORDER BY (after the WHERE clause's closing brace) and one of its conditions:
# ?v, STR(?v), ASC(?v), DESC(?v), ASC(STR(?v)), DESC(STR(?v)).
_ORDER_BY = re.compile(r"\bORDER\s+BY\b(?P<conditions>[^{}]*?)\s*$", re.I)
_ORDER_CONDITION = re.compile(
    r"\s*(?:(?P<dir>ASC|DESC)\s*\(\s*(?:(?P<s1>STR)\s*\(\s*[?$](?P<v1>\w+)\s*\)|[?$](?P<v2>\w+))\s*\)"
    r"|(?P<s3>STR)\s*\(\s*[?$](?P<v3>\w+)\s*\)|[?$](?P<v4>\w+))", re.I)
# Update keywords refused in read-only query text.
UPDATE_KEYWORDS = re.compile(r"^\s*(?:PREFIX\s+\S+\s+<[^>]*>\s*|BASE\s+<[^>]*>\s*)*(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None = None
    help: str = ""
    var: str | None = None  # the query variable it binds, when not the same as its name

    @property
    def variable(self) -> str:
        return self.var or self.name


@dataclass
class SavedQuery:
    name: str
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    path: Path | None = None

    def projected(self) -> set[str]:
        m = SELECT_CLAUSE.search(self.text)
        if not m:
            return set()
        if m.group("proj").strip().endswith("*") or re.search(r"\*\s*$", m.group("proj")):
            return set(VARIABLE.findall(self.text))
        return set(VARIABLE.findall(m.group("proj")))

    def variables(self) -> list[str]:
        """The result variables, in projection order (an ``(expression AS ?v)`` gives ``v``)."""
        m = SELECT_CLAUSE.search(self.text)
        projection = m.group("proj") if m else ""
        while AS_EXPRESSION.search(projection):
            projection = AS_EXPRESSION.sub(r"?\g<var>", projection)
        return list(dict.fromkeys(VARIABLE.findall(projection)))


def parse(text: str, name: str, path: Path | None = None) -> SavedQuery:
    """Read a query's header; raise QueryError on a malformed ``param`` line."""
    query = SavedQuery(name=name, text=text, path=path)
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER_LINE.match(line)
        if not m:
            continue
        key, value = m.group("key"), m.group("value").strip()
        if key == "param":
            spec = PARAM_SPEC.match(value)
            if not spec:
                raise QueryError(f"query {name}: malformed param line {value!r} (want: NAME TYPE optional|required -- help)")
            query.params.append(
                Param(spec["name"], spec["type"], spec["need"] == "required", spec["default"],
                      (spec["help"] or "").strip(), spec["var"])
            )
        else:
            setattr(query, key, value)
    return query


@cache
def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query shipped in ``queries/``, by name."""
    out = {}
    for entry in sorted(files("councilkg.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = parse(entry.read_text(encoding="utf-8"), name)
    return out


def find(name_or_path: str) -> SavedQuery:
    """A saved query by name, or a ``.rq`` file by path."""
    if name_or_path in saved_queries():
        return saved_queries()[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        return parse(path.read_text(encoding="utf-8"), path.stem, path)
    names = ", ".join(saved_queries())
    raise QueryNotFound(f"no saved query or .rq file named {name_or_path!r} (saved queries: {names})")


def parse_param_args(args: list[str] | tuple[str, ...]) -> dict[str, str]:
    out = {}
    for arg in args:
        m = PARAM_ARG.match(arg)
        if not m:
            raise QueryParameterError(f"--param {arg!r} is not KEY=VALUE")
        out[m["key"]] = m["value"]
    return out


def bind(query: SavedQuery, values: dict[str, str], minter: Minter, store=None) -> dict:
    """Turn ``--param`` strings into RDF terms for the query's declared parameters."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "none"
        raise QueryParameterError(f"query {query.name}: unknown parameter {', '.join(unknown)} (parameters: {allowed})")
    substitutions = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise QueryParameterError(f"query {query.name}: parameter {param.name} is required ({param.help})")
            continue
        substitutions[ox.Variable(param.variable)] = _term(query, param, raw, minter, store)
    return substitutions


def _term(query: SavedQuery, param: Param, raw: str, minter: Minter, store) -> ox.NamedNode | ox.Literal:
    where = f"query {query.name}: parameter {param.name}"
    if param.type == "string":
        return ox.Literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise QueryParameterError(f"{where} wants a whole number, not {raw!r}")
        return ox.Literal(raw.strip(), datatype=ox.NamedNode(str(XSD.integer)))
    if param.type == "date":
        if not ISO_DATE.match(raw.strip()):
            raise QueryParameterError(f"{where} wants a date YYYY-MM-DD, not {raw!r}")
        return ox.Literal(raw.strip(), datatype=ox.NamedNode(str(XSD.date)))
    if param.type == "council" and not raw.startswith(("http://", "https://")):
        return council_iri(raw, minter, store, where)
    try:
        return ox.NamedNode(raw.strip())
    except ValueError as e:
        raise QueryParameterError(f"{where} wants an IRI, not {raw!r}: {e}") from e


def council_iri(text: str, minter: Minter, store, where: str) -> ox.NamedNode:
    """A council named by its name in any common form, or its GSS code."""
    found = reference.resolve_council(text) or reference.council_by_gss().get(text.strip().upper())
    if found:
        return minter.council(found.name)
    if store is not None:
        rows = list(
            store.query(
                "PREFIX ckg: <https://w3id.org/councilkg/ontology#> "
                "SELECT ?c ?label WHERE { ?c a ckg:Council ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
            )
        )
        wanted = text.strip().casefold()
        matches = {r["c"].value for r in rows if wanted in r["label"].value.casefold()}
        if len(matches) == 1:
            return ox.NamedNode(matches.pop())
    raise QueryParameterError(f"{where}: no council called {text!r} (give a name, a GSS code or an IRI)")


def check_read_only(sparql: str) -> None:
    if UPDATE_KEYWORDS.match(_strip_comments(sparql)):
        raise QueryParameterError("that is a SPARQL update; councilkg query only reads (use --allow-update to write)")


def _strip_comments(sparql: str) -> str:
    return "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))


def execute(store, query: SavedQuery, substitutions: dict | None = None):
    """Run a query; SELECT gives ``ox.QuerySolutions``.

    Parameters go in as ``VALUES`` blocks (:func:`with_parameters`), on the embedded store
    also through ``substitutions=``. Oxigraph plans a query before it substitutes, so with
    ``substitutions=`` alone a bound council is still found by scanning every fact of its
    type (at 250 documents, 20-70 ms instead of 1-3 ms); a VALUES block is planned as the
    smallest pattern, first.
    """
    if not substitutions:
        return store.query(query.text)
    text = with_parameters(query.text, substitutions)
    if isinstance(store, RemoteStore):  # the blocks are in the text: a second one would be redundant
        return store.query(text)
    return store.query(text, substitutions)


def with_parameters(text: str, substitutions: dict) -> str:
    """The query with ``VALUES`` blocks binding the parameters: one at the top of its WHERE clause,
    and one at the top of each UNION branch and each sub-select that names a bound variable.

    The terms are written by pyoxigraph (``str(term)``), so a value cannot change the query.
    Oxigraph plans a UNION branch or a sub-select on its own and cannot move a join with an
    outer block into it: without a block of its own it would be evaluated for every council
    and only then joined with the one asked for. The inner blocks give the same rows (the
    outer block joins them again); a sub-select gets one only for a variable it projects as
    it is (not computed by ``AS``), and not when it has LIMIT or OFFSET.
    """
    masked = _MASKED.sub(lambda m: " " * len(m.group(0)), text)
    where = _WHERE.search(masked)
    start = masked.find("{", where.end() if where else 0)
    if start < 0:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    inserts: dict[int, list] = {start + 1: list(substitutions)}
    _bind_inside(masked, start, list(substitutions), inserts)
    for at in sorted(inserts, reverse=True):
        variables = inserts[at]
        names = " ".join(f"?{var.value}" for var in variables)
        values = " ".join(str(substitutions[var]) for var in variables)
        text = text[:at] + f"\n  VALUES ({names}) {{ ({values}) }}" + text[at:]
    return text


def _bind_inside(masked: str, start: int, variables: list, inserts: dict[int, list]) -> None:
    """Where to repeat the VALUES block inside the group opening at ``start`` (recursively)."""
    groups = _top_groups(masked, start)
    previous = start + 1
    for i, (open_, close) in enumerate(groups):
        before = masked[previous:open_]
        after = masked[close + 1:groups[i + 1][0]] if i + 1 < len(groups) else ""
        previous = close + 1
        select = _SUBSELECT.match(masked, open_ + 1)
        if select:
            body = masked.find("{", select.end())
            projected = _PLAIN_PROJECTION.sub(" ", masked[select.end():body])
            own = [v for v in variables if re.search(r"[?$]%s\b" % re.escape(v.value), projected)]
            body_end = _top_groups(masked, open_)[0][1] if own else body
            if own and not _LIMIT.search(masked, body_end, close):
                inserts[body + 1] = own
                _bind_inside(masked, body, own, inserts)
        elif _KEYWORD_BEFORE.search(before):
            continue  # OPTIONAL, MINUS, GRAPH, EXISTS...: a block there would not be a plain join
        else:
            own = [v for v in variables if re.search(r"[?$]%s\b" % re.escape(v.value), masked[open_:close])]
            if own and (_UNION_END.search(before) or _UNION_START.match(after)):
                inserts[open_ + 1] = own
            if own:
                _bind_inside(masked, open_, own, inserts)


def _top_groups(masked: str, start: int) -> list[tuple[int, int]]:
    """The ``{...}`` groups directly inside the group opening at ``start``: (open, close) offsets."""
    groups, depth, opened = [], 0, 0
    for i in range(start, len(masked)):
        ch = masked[i]
        if ch == "{":
            depth += 1
            if depth == 2:
                opened = i
        elif ch == "}":
            depth -= 1
            if depth == 1:
                groups.append((opened, i))
            elif depth == 0:
                break
    return groups


@dataclass
class Result:
    """Rows of a SELECT, as plain Python values, for pages and tests."""

    variables: list[str]
    rows: list[dict[str, ox.NamedNode | ox.Literal | None]]
    _values: list[dict[str, str | None]] | None = field(default=None, repr=False, compare=False)

    def values(self) -> list[dict[str, str | None]]:
        """The rows as plain strings (computed once: pages read the same result many times)."""
        if self._values is None:
            self._values = [{k: (v.value if v is not None else None) for k, v in row.items()} for row in self.rows]
        return self._values


def run(store, name_or_path: str, params: dict[str, str] | None = None, minter: Minter | None = None) -> Result:
    """Run a saved query by name with ``params`` and return its rows.

    A final ``ORDER BY`` of plain variables (``?v``, ``ASC``/``DESC``, ``STR``) is done here, in
    Python, on the rows: Oxigraph compares two strings by reading both from the store, for
    every comparison (at 2,500 documents, 7 s of the 16 s of ``document-facts``). The rows
    come in the same order; rows that tie on every key may come in another order, as they
    may from Oxigraph itself.
    """
    query = find(name_or_path)
    substitutions = bind(query, params or {}, minter or Minter(), store)
    unordered, ordering = _ordering(query)
    solutions = execute(store, unordered, substitutions)
    variables = [v.value for v in solutions.variables]
    rows = [dict(zip(variables, solution)) for solution in solutions]  # a solution iterates its values in order
    _sort(rows, ordering)
    return Result(variables, rows)


def _sort(rows: list[dict], ordering: tuple[tuple[str, bool, bool], ...]) -> None:
    """Sort rows in place by the ORDER BY conditions: one sort on keys computed once per row and
    condition (a run of ascending conditions shares one sort; stable sorts, the last run first)."""
    runs: list[list[tuple[str, bool, bool]]] = []
    for condition in ordering:
        if runs and runs[-1][0][1] == condition[1]:
            runs[-1].append(condition)
        else:
            runs.append([condition])
    for run_ in reversed(runs):
        if len(run_) == 1:
            variable, descending, as_string = run_[0]
            rows.sort(key=lambda row: _order_key(row[variable], as_string), reverse=descending)
        else:
            rows.sort(key=lambda row: tuple(_order_key(row[v], s) for v, _, s in run_), reverse=run_[0][1])


def _ordering(query: SavedQuery) -> tuple[SavedQuery, tuple[tuple[str, bool, bool], ...]]:
    """The query without its final ORDER BY, and the ordering as (variable, descending, by STR).

    The query itself (and no ordering) when the ORDER BY is more than plain variables, names a
    variable the query does not return, or is followed by LIMIT or OFFSET.
    """
    text, ordering = _split_order(query.text)
    if not ordering:
        return query, ()
    return SavedQuery(query.name, text, query.title, query.description, query.params, query.path), ordering


@cache
def _split_order(text: str) -> tuple[str, tuple[tuple[str, bool, bool], ...]]:
    masked = _MASKED.sub(lambda m: " " * len(m.group(0)), text)
    clause = _ORDER_BY.search(masked)
    if not clause:
        return text, ()
    ordering, at, conditions = [], 0, clause.group("conditions")
    while at < len(conditions.rstrip()):
        m = _ORDER_CONDITION.match(conditions, at)
        if not m:
            return text, ()
        variable = m["v1"] or m["v2"] or m["v3"] or m["v4"]
        ordering.append((variable, (m["dir"] or "").upper() == "DESC", bool(m["s1"] or m["s3"])))
        at = m.end()
    if not ordering or not {v for v, _, _ in ordering} <= set(SavedQuery("", text).variables()):
        return text, ()
    return text[:clause.start()] + text[clause.end():], tuple(ordering)


_NUMERIC = {str(XSD[t]) for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                                  "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                                  "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def _order_key(term, as_string: bool) -> tuple:
    """SPARQL's order: unbound, blank nodes, IRIs, then literals; numbers by value, other literals by
    their text, then language (ISO dates so sort by date). Numbers come before text, never compared."""
    if term is None:
        return (0,)
    if as_string:
        return (3, 1, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if term.datatype is not None and term.datatype.value in _NUMERIC:
        try:
            return (3, 0, float(term.value), "")
        except ValueError:
            pass
    return (3, 1, term.value, term.language or "")


FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def serialize(solutions, fmt: str) -> bytes:
    """W3C SPARQL results in ``fmt`` (json, csv, tsv, xml), or an aligned text table."""
    if isinstance(solutions, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(solutions)}).encode() if fmt == "json" else str(bool(solutions)).encode()
    if isinstance(solutions, ox.QueryTriples):
        return ox.serialize(solutions, format=ox.RdfFormat.TURTLE)
    if fmt in FORMATS:
        return solutions.serialize(format=FORMATS[fmt])
    return table(solutions).encode("utf-8")


def table(solutions) -> str:
    """A plain-text table of a SELECT result (values shortened for reading, not parsing)."""
    variables = [v.value for v in solutions.variables]
    rows = [[_cell(solution[v]) for v in variables] for solution in solutions]
    if not variables:
        return ""
    widths = [min(60, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(variables)]
    out = io.StringIO()
    line = lambda cells: "  ".join(c[:w].ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out.write(line(variables) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for r in rows:
        out.write(line(r) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    return " ".join(value.value.split())
