"""What a request is charged (SPEC §5): points of the hourly budget that follow the work it makes the
server do, so that no document buys more work per point than an ordinary list does.

A point is a hundred units. A unit is a node (GitHub's measure: the largest page of each connection,
multiplied along its path); each read (a distinct page, a COUNT or an object looked up by id: one SQL
statement each, however many parents it serves) is ``READ_WEIGHT`` units, and some reads weigh more
(filters, a scan, introspection: the weights below, in reads); and a document that this
process has not prepared before (parsed, limited, validated, analysed: graphql-core's validation
alone is about 5 us per character) pays for its text beyond ``FREE_CHARS``, one unit per
``CHARS_PER_UNIT`` characters. Known documents (and trusted ones) do not pay for their text again.

The weights come from ``bench/adversarial.py``: with them, no document of its corpus costs more time per
point than three times the 50-user list's, measured in the same run.
"""

READ_WEIGHT = 25
FILTER_READS = 3  # filter arguments: building a FilterSet (copies of its filters, a form) costs about 3 reads
SCAN_READS = 8  # an argument no index serves (`search`: a substring): the table is read, priced as 8 more
INTROSPECTION_READS = {"__schema": 20, "__type": 1}  # executing the schema's description (80 KB for __schema)
COUNT_READS = 2  # a COUNT reads every row of its list (it grows with the list: the one such read, SPEC §5)
WRITE_READS = 4  # a mutation's root field: its lookups, its write and a savepoint
FREE_CHARS = 250
CHARS_PER_UNIT = 1.5
# The rest of the request (variables, mostly): JSON parsed and walked, about 30 ns a character, so a unit
# per 300 past the first 1,000 (2 MB of variables no operation declares cost 67 ms and was free).
FREE_REQUEST_CHARS = 1_000
REQUEST_CHARS_PER_UNIT = 300
ALIAS_UNITS = 10  # an aliased field is resolved, gated and completed again, even when its read is shared
UNITS_PER_POINT = 100


def text_units(chars: int) -> int:
    """The work of preparing a document of ``chars`` characters, in units."""
    return int(max(0, chars - FREE_CHARS) / CHARS_PER_UNIT)


def request_units(other_chars: int) -> int:
    """The work of reading the rest of a request (its variables), in units."""
    return max(0, other_chars - FREE_REQUEST_CHARS) // REQUEST_CHARS_PER_UNIT


def query_cost(nodes: int, reads: int, prepared_chars: int = 0, other_chars: int = 0, aliases: int = 0) -> int:
    """Points for a request: at least one. ``prepared_chars``: the length of the document when this
    request had to prepare it (0 when it was known); ``other_chars``: the rest of the request."""
    units = nodes + READ_WEIGHT * reads + text_units(prepared_chars) + request_units(other_chars)
    units += ALIAS_UNITS * aliases
    return max(1, -(-units // UNITS_PER_POINT))


def refusal_cost(prepared_chars: int, other_chars: int = 0) -> int:
    """A refused document costs what reading it cost: one point, more for a long one."""
    return query_cost(0, 0, prepared_chars, other_chars)
