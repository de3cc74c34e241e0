"""The search query language, parsed once and compiled for each engine.

    soviet nationals          both words (AND is implied)
    "soviet nationals"        the exact phrase
    repatriat*                a prefix
    Potsdam -Yalta            NOT: also ``Potsdam NOT Yalta``
    Yalta OR Potsdam          either; parentheses group

User input never reaches an engine's own syntax: every token is re-quoted by the compiler,
and engine features (column filters ``col:``, ``NEAR(…)``, boosts ``^``) are refused with
a message rather than passed through.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from api.records.normalize import tokens

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
MAX_DEPTH = 16  # nesting of parentheses and NOTs: deeper is no query a person writes


class QueryError(ValueError):
    """A query that cannot be searched, with a message for the person who wrote it."""


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]  # more than one: a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class And:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple["Node", ...]


Node = Term | Not | And | Or

_LEX = re.compile(
    r'\s*(?:(?P<phrase>"[^"]*")|(?P<open>\()|(?P<close>\))|(?P<minus>-)(?=\S)'
    r'|(?P<word>[^\s"()]+))'
)
_FORBIDDEN = re.compile(r"[:^{}\[\]]")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _lex(query: str) -> list[_Token]:
    if query.count('"') % 2:
        raise QueryError('The query has an unbalanced quotation mark (").')
    out: list[_Token] = []
    position = 0
    stripped = query.rstrip()
    while position < len(stripped):
        match = _LEX.match(stripped, position)
        if (
            match is None or match.end() == position
        ):  # pragma: no cover - the pattern always advances
            raise QueryError("The query could not be read.")
        position = match.end()
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind == "word":
            if text.upper() == "NEAR" and stripped[position : position + 1] == "(":
                raise QueryError('NEAR queries are not supported; use a "quoted phrase".')
            if _FORBIDDEN.search(text):
                raise QueryError(
                    f"{text!r}: field filters (col:), boosts (^) and brackets are not part of "
                    "the query language; use the filter parameters instead."
                )
            if text in ("AND", "OR", "NOT"):
                kind = text
        out.append(_Token(kind, text))
    return out


class _Parser:
    def __init__(self, items: list[_Token]):
        self.items = items
        self.index = 0
        self.terms = 0
        self.depth = 0  # parentheses and NOTs open around the term being read

    def peek(self) -> _Token | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def next_kind(self) -> str | None:
        """The kind of the next token; None at the end of the query."""
        token = self.peek()
        return None if token is None else token.kind

    def take(self) -> _Token:
        token = self.items[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if (token := self.peek()) is not None:
            raise QueryError(f"Unexpected {token.text!r} in the query.")
        return node

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            if self.next_kind() in (None, "OR", "AND", "close"):
                raise QueryError("OR needs a term on both sides.")
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("OR", "close"):
            if token.kind == "AND":
                self.take()
                if self.next_kind() in (None, "OR", "AND", "close"):
                    raise QueryError("AND needs a term on both sides.")
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("The query ends where a term was expected.")
        if token.kind in ("NOT", "minus"):
            self.take()
            if self.next_kind() in (None, "OR", "AND", "NOT", "close"):
                raise QueryError(f"{token.text} needs a term to exclude.")
            with self._nested():
                return Not(self.unary())
        return self.atom()

    @contextmanager
    def _nested(self) -> Iterator[None]:
        """One level deeper; a query nested past ``MAX_DEPTH`` is refused, not recursed."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"The query nests parentheses or NOTs more than {MAX_DEPTH} deep.")
        try:
            yield
        finally:
            self.depth -= 1

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "open":
            if self.next_kind() in (None, "close"):
                raise QueryError("Empty parentheses in the query.")
            with self._nested():
                node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError("The query has an unclosed parenthesis.")
            self.take()
            return node
        if token.kind in ("close", "AND", "OR"):
            raise QueryError(f"{token.text!r} cannot start a term.")
        prefix = token.kind == "word" and token.text.endswith("*")
        raw = token.text.strip('"') if token.kind == "phrase" else token.text.rstrip("*")
        if "*" in raw:
            raise QueryError(f"{token.text!r}: * is only allowed at the end of a word.")
        found = tuple(tokens(raw))
        if not found:
            raise QueryError(f"{token.text!r} holds no letters or digits to search for.")
        self.terms += len(found)
        if self.terms > MAX_TERMS:
            raise QueryError(f"The query has more than {MAX_TERMS} words.")
        return Term(found, prefix=prefix and len(found) == 1)


def _check_negations(node: Node) -> None:
    """Every NOT must be subtracted from something: ``-Yalta`` alone finds nothing useful."""
    if isinstance(node, Not):
        raise QueryError("A query needs at least one term to find, not only terms to exclude.")
    if isinstance(node, And):
        if all(isinstance(child, Not) for child in node.nodes):
            raise QueryError("A query needs at least one term to find, not only terms to exclude.")
        for child in node.nodes:
            _check_negations(child.node if isinstance(child, Not) else child)
    if isinstance(node, Or):
        for child in node.nodes:
            _check_negations(child)


def parse(query: str) -> Node:
    if not query or not query.strip():
        raise QueryError("The query is empty.")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    node = _Parser(_lex(query)).parse()
    _check_negations(node)
    return node


def positive_terms(node: Node) -> list[Term]:
    """The terms a hit contains (for highlighting): everything not under a NOT."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [term for child in node.nodes for term in positive_terms(child)]


def to_fts5(node: Node) -> str:
    """FTS5 MATCH syntax; every token is double-quoted, so nothing is interpreted."""
    if isinstance(node, Term):
        quoted = '"' + " ".join(node.tokens) + '"'
        return quoted + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(child) for child in node.nodes) + ")"
    if isinstance(node, And):
        positives = [to_fts5(c) for c in node.nodes if not isinstance(c, Not)]
        negatives = [to_fts5(c.node) for c in node.nodes if isinstance(c, Not)]
        expression = "(" + " AND ".join(positives) + ")"
        for negative in negatives:
            expression = f"({expression} NOT {negative})"
        return expression
    raise QueryError("A query needs at least one term to find.")  # a bare Not


def to_tsquery(node: Node) -> str:
    """PostgreSQL ``to_tsquery('simple', …)`` syntax; tokens are plain alphanumerics."""
    if isinstance(node, Term):
        parts = [f"'{token}'" for token in node.tokens]
        if node.prefix:
            return parts[0] + ":*"
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.node)
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(child) for child in node.nodes) + ")"
    return "(" + " & ".join(to_tsquery(child) for child in node.nodes) + ")"
