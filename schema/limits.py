"""Limits on what one request may ask (SPEC §5), checked before execution.

Document size and lexical tokens are checked before parsing; the document's shape (selections,
aliases, depth, introspection) after parsing and before validation (``schema.shape``); the static
node count (GitHub's way: each connection's largest page multiplied along its path) comes from the
operation's cached facts (``schema.analysis``), evaluated against the request's variables.
"""

from graphql import GraphQLError, GraphQLSyntaxError, Lexer, Source, TokenKind, parse
from graphql.language import DocumentNode

from schema.errors import Code, GraphQLRequestError

MAX_DOCUMENT_CHARS = 15_000
MAX_TOKENS = 2_000
MAX_NODES = 10_000


class LimitExceeded(GraphQLRequestError):
    """A limit of SPEC §5: a 400 (200 to legacy clients), with the limit and the actual figure where known."""

    def __init__(self, code: Code, message: str, **extensions):
        super().__init__(message, code, **extensions)


def parse_within_limits(query: str) -> DocumentNode:
    """Parse, refusing documents over the character or token limit; GraphQLError on bad syntax."""
    if len(query) > MAX_DOCUMENT_CHARS:
        raise LimitExceeded(
            Code.QUERY_TOO_LARGE,
            f"The document has {len(query)} characters; the limit is {MAX_DOCUMENT_CHARS}.",
            limit=MAX_DOCUMENT_CHARS,
            actual=len(query),
        )
    try:
        return parse(query, max_lexical_tokens=MAX_TOKENS, max_comments=MAX_TOKENS)
    except GraphQLSyntaxError as error:
        if "tokens" not in error.message or "Parsing aborted" not in error.message:
            raise
        count = count_tokens(query)
        raise LimitExceeded(
            Code.QUERY_TOO_LARGE,
            f"The document has {count} lexical tokens; the limit is {MAX_TOKENS}.",
            limit=MAX_TOKENS,
            actual=count,
        ) from None


def count_tokens(query: str, stop_after: int | None = None) -> int:
    """Lexical tokens (comments excepted), up to ``stop_after``; a syntax error ends the count."""
    lexer, count = Lexer(Source(query)), 0
    try:
        while lexer.advance().kind != TokenKind.EOF and count != stop_after:
            count += 1
    except GraphQLError:
        pass  # a syntax error after the limit: the count so far is what we report
    return count


def check_cost(nodes: int) -> None:
    if nodes > MAX_NODES:
        raise LimitExceeded(
            Code.QUERY_TOO_COMPLEX,
            f"The operation could return {nodes} nodes; the limit is {MAX_NODES}. Ask for smaller pages.",
            limit=MAX_NODES,
            actual=nodes,
        )
