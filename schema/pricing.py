"""What a request is charged (SPEC §5): points of the hourly budget that follow the work it makes the
server do, so that no document buys more work per point than an ordinary list does.

A point is a hundred units. A unit is a node (GitHub's measure: the largest page of each connection,
multiplied along its path); each read (a distinct page, a COUNT or an object looked up by id: one SQL
statement each, however many parents it serves) is ``READ_WEIGHT`` units, and some reads weigh more
(filters, a scan, introspection: the weights below, in reads); and a document that this
process has not prepared before (parsed, limited, validated, analysed, planned) pays ``PREPARE_UNITS`` (the
fixed part: graphql-core's validation alone builds its 27 rules and their visitors for every document,
about 1 ms) and for its text: one unit per ``CHARS_PER_UNIT`` characters past ``FREE_CHARS``, or
``TOKEN_UNITS`` per token past ``FREE_TOKENS``, whichever is more. Parsing and validation follow the tokens (a field, an
argument, a variable), not the characters: `a0: node(id: $g) { id }` is 12 tokens in 23 characters, and
15 of them cost 4x the list's time per point when priced by characters (issue 21). Known documents (and
trusted ones) do not pay for their text again.

The weights come from ``bench/adversarial.py``: with them, no document of its corpus costs more time per
point than three times the 50-user list's, measured in the same run.
"""

from schema.limits import MAX_TOKENS, count_tokens

READ_WEIGHT = 25
FILTER_READS = 3  # filter arguments: building a FilterSet (copies of its filters, a form) costs about 3 reads
SCAN_READS = 8  # an argument no index serves (`search`: a substring): the table is read, priced as 8 more
INTROSPECTION_READS = {"__schema": 20, "__type": 1}  # executing the schema's description (80 KB for __schema)
COUNT_READS = 2  # a COUNT reads every row of its list (it grows with the list: the one such read, SPEC §5)
WRITE_READS = 4  # a mutation's root field: its lookups, its write and a savepoint
FREE_CHARS = 250
CHARS_PER_UNIT = 1.5
# Parsing alone is about 5 us a token: 100 free tokens were half a millisecond that a refused document (which
# pays no preparation) got for its one point, 3x the list's time per point once the list got faster (issue 21).
FREE_TOKENS = 50
TOKEN_UNITS = 4  # about 35 us a token to parse, validate and analyse; a unit is 7-10 us of the list (issue 21)
PREPARE_UNITS = 150  # fixed work of a new document: `{ me { id } }` new 2.6 ms, known 1.1 ms (issue 21)
# The rest of the request (variables, mostly): JSON parsed and walked, about 30 ns a character, so a unit
# per 300 past the first 1,000 (2 MB of variables no operation declares cost 67 ms and was free).
FREE_REQUEST_CHARS = 1_000
REQUEST_CHARS_PER_UNIT = 300
ALIAS_UNITS = 10  # an aliased field is resolved, gated and completed again, even when its read is shared
UNITS_PER_POINT = 100


def tokens(text: str) -> int:
    """The document's lexical tokens as graphql-core's lexer reads them (comments are not tokens, a string is
    one), counted up to the document limit: a regular expression lost count inside block strings."""
    return count_tokens(text, stop_after=MAX_TOKENS + 1)


def text_units(text: str) -> int:
    """The work of preparing a new document's text, in units: by characters or by tokens."""
    by_chars = max(0, len(text) - FREE_CHARS) / CHARS_PER_UNIT
    by_tokens = max(0, tokens(text) - FREE_TOKENS) * TOKEN_UNITS
    return int(max(by_chars, by_tokens))


def request_units(other_chars: int) -> int:
    """The work of reading the rest of a request (its variables), in units."""
    return max(0, other_chars - FREE_REQUEST_CHARS) // REQUEST_CHARS_PER_UNIT


def query_cost(nodes: int, reads: int, new_text: str = "", other_chars: int = 0, aliases: int = 0) -> int:
    """Points for a request: at least one. ``new_text``: the document when this request had to prepare
    it ("" when it was known); ``other_chars``: the rest of the request."""
    units = nodes + READ_WEIGHT * reads + ALIAS_UNITS * aliases + request_units(other_chars)
    if new_text:
        units += PREPARE_UNITS + text_units(new_text)
    return points(units)


def refusal_cost(new_text: str, other_chars: int = 0, validated: bool = False) -> int:
    """A refused document costs what reading it cost: one point (SPEC §5), more for a long one. Refused by
    its syntax or a limit checked before validation, it stopped before the work ``PREPARE_UNITS`` prices;
    refused by validation or later (``validated``), it did that work, and a document that fails validation
    is never cached, so it would be done again for every copy sent."""
    prepare = PREPARE_UNITS if validated and new_text else 0
    return points(prepare + text_units(new_text) + request_units(other_chars))


def points(units: int) -> int:
    return max(1, -(-int(units) // UNITS_PER_POINT))
