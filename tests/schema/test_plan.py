"""Compiled plans (schema/plan.py) answer exactly what graphql-core's executor answers.

Generated documents (hypothesis-graphql, then reshaped: aliases, duplicated fields, inline and
named fragments, `__typename`, literals turned into variables) run both ways; `data` and every
error (message, locations, path, extensions, in order) must be identical. Two schemas: ours, with
real rows and tokens of several scope sets (denied fields, partial data, NOT_FOUND, bad pages),
and a small one whose resolvers fail on purpose (errors in leaves and list items, nulls in
non-null fields that propagate, values that do not serialize, abstract types that resolve wrong).
"""

import random
from datetime import UTC, datetime
from functools import partial
from types import SimpleNamespace

import graphene
import pytest
from django.contrib.auth.models import Group
from graphene.types.resolver import dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    build_schema,
    execute,
    get_named_type,
    get_operation_ast,
    parse,
    print_ast,
    validate,
)
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from schema.authentication import Principal
from schema.budget import Budget
from schema.documents import DOCUMENTS, SCHEMA
from schema.execution import never_awaitable
from schema.loaders import Loaders
from schema.plan import compile_plan
from users.models import User

SCALARS = (IntValueNode, StringValueNode, BooleanValueNode, EnumValueNode)


def sensible(field: str, name: str, value, rng: random.Random, ids: dict[str, list[str]]):
    """Mostly answerable arguments (pages of a few rows, real ids, no foreign cursors), sometimes the
    generated ones as they are; None drops the argument."""
    if rng.random() < 0.2:
        return value
    if name in ("first", "last"):
        return IntValueNode(value=str(rng.randint(1, 4))) if name == "first" or rng.random() < 0.3 else None
    if name in ("after", "before", "search", "group", "orderBy", "isStaff"):
        return None
    if name == "id" and isinstance(value, StringValueNode) and ids:
        return StringValueNode(value=rng.choice(ids.get(field) or [i for found in ids.values() for i in found]))
    return value


def reshape(document, schema, rng: random.Random, ids: dict[str, list[str]] | None = None):
    """The same question asked in other spellings, chosen by ``rng``; None if it no longer validates."""
    operation = document.definitions[0]
    fragments, variables, values = [], [], {}

    def visit(selection_set: SelectionSetNode, parent_type) -> SelectionSetNode:
        selections = []
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):  # on an interface: `... on User { }`
                condition = selection.type_condition
                fragment_type = schema.get_type(condition.name.value) if condition else parent_type
                selections.append(
                    InlineFragmentNode(
                        type_condition=condition,
                        directives=(),
                        selection_set=visit(selection.selection_set, fragment_type),
                    )
                )
                continue
            field = parent_type.fields[selection.name.value]
            named = get_named_type(field.type)
            arguments = []
            for argument in selection.arguments or ():
                value = sensible(selection.name.value, argument.name.value, argument.value, rng, ids)
                if value is None:
                    continue
                if isinstance(value, SCALARS) and rng.random() < 0.5:
                    name = f"v{len(variables)}"
                    argument_type = field.args[argument.name.value].type
                    variables.append(
                        VariableDefinitionNode(
                            variable=VariableNode(name=NameNode(value=name)), type=_type_node(argument_type)
                        )
                    )
                    values[name] = _literal(value)
                    value = VariableNode(name=NameNode(value=name))
                arguments.append(ArgumentNode(name=argument.name, value=value))
            sub = visit(selection.selection_set, named) if selection.selection_set else None
            alias = NameNode(value=f"a{rng.randrange(3)}_{selection.name.value}") if rng.random() < 0.3 else None
            node = FieldNode(
                name=selection.name,
                alias=alias or selection.alias,
                arguments=tuple(arguments),
                directives=(),
                selection_set=sub,
            )
            selections.append(node)
            if rng.random() < 0.15:
                selections.append(node)  # the same field twice: merged
        if rng.random() < 0.3:
            selections.insert(
                rng.randrange(len(selections) + 1),
                FieldNode(name=NameNode(value="__typename"), arguments=(), directives=()),
            )
        if rng.random() < 0.3 and hasattr(parent_type, "fields"):
            cut = rng.randrange(len(selections))  # the fragment takes at least one selection
            inner = SelectionSetNode(selections=tuple(selections[cut:]))
            condition = NamedTypeNode(name=NameNode(value=parent_type.name))
            if rng.random() < 0.5:
                name = f"F{len(fragments)}"
                fragments.append(
                    FragmentDefinitionNode(
                        name=NameNode(value=name), type_condition=condition, selection_set=inner, directives=()
                    )
                )
                tail = FragmentSpreadNode(name=NameNode(value=name), directives=())
            else:
                tail = InlineFragmentNode(type_condition=condition, selection_set=inner, directives=())
            selections = [*selections[:cut], tail]
        return SelectionSetNode(selections=tuple(selections))

    root = schema.get_root_type(operation.operation)
    body = visit(operation.selection_set, root)
    operation = OperationDefinitionNode(
        operation=operation.operation, variable_definitions=tuple(variables), selection_set=body, directives=()
    )
    text = print_ast(type(document)(definitions=(operation, *fragments)))
    reshaped = parse(text)
    return (reshaped, values) if not validate(schema, reshaped) else None


def _type_node(graphql_type):
    return parse(f"query($x: {graphql_type}) {{ a }}").definitions[0].variable_definitions[0].type


def _literal(value):
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, BooleanValueNode):
        return value.value
    return value.value  # strings and enum names


def both_ways(schema, document, variables, context=None, fresh_context=None):
    operation = get_operation_ast(document)
    planned = compile_plan(schema, document, operation)
    results = []
    for execution_context_class in (None, planned):
        results.append(
            execute(
                schema,
                document,
                context_value=fresh_context() if fresh_context else context,
                variable_values=variables,
                execution_context_class=execution_context_class,
                is_awaitable=never_awaitable,
            )
        )
    return planned, results


def assert_same(results):
    reference, planned = results
    assert planned.data == reference.data
    assert [e.formatted for e in planned.errors or ()] == [e.formatted for e in reference.errors or ()]


# --- Our schema, real rows ---------------------------------------------------------------------

TOKENS = {
    "read groups": ("alice", "read groups"),
    "read": ("alice", "read"),
    "groups": ("alice", "groups"),
    "staff": ("root", "read groups write"),
    "client credentials": (None, "read groups"),
}


@pytest.fixture
def world(make_user, group_factory):
    alice = make_user("alice")
    root = make_user("root", is_staff=True, permissions=["users.view_user"])
    others = [make_user(f"user{n}") for n in range(4)]
    hidden = make_user("hidden", is_active=False)
    board = group_factory("board", [alice, root, hidden, *others[:2]])
    group_factory("staff", [root, *others])
    group_factory("empty")
    return {"alice": alice, "root": root, "board": board, "hidden": hidden}


def context_for(token: str):
    username, scopes = TOKENS[token]

    def make():
        user = User.objects.get(username=username) if username else None  # fresh: permissions cache on it
        principal = Principal(user, 1, "client", frozenset(scopes.split()), 1)
        context = SimpleNamespace(principal=principal, budget=Budget(5000, 7, 1, 1_800_000_000))
        context.loaders = Loaders(context)  # as the view does, per request
        return context

    return make


HANDWRITTEN = [
    "{ users(first: 50) { edges { node { id username email groups(first: 10) { edges { node { name } } } } } } }",
    "{ me { id username email groups { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }",
    "{ a: me { username } b: me { email } ...R } fragment R on Query { rateLimit { limit cost remaining used resetAt } }",
    "query($n: Int) { users(first: $n, last: 2) { totalCount edges { node { username } } } }",
    "{ groups { edges { node { name members(first: 2) { edges { node { username isStaff groups(last: 1)"
    " { edges { node { name } } } } } } } } } }",
    '{ users(group: "board") { totalCount } groups(search: "o") { edges { node { __typename name } } } }',
    '{ users(first: 0) { totalCount } x: users(first: 101) { totalCount } y: users(after: "nope") { totalCount } }',
    '{ users(orderBy: "-username", isStaff: false) { edges { node { username dateJoined firstName lastName } } } }',
    '{ user(id: "VXNlcjo5OTk=") { id } group(id: "nope") { id } }',
]


def node_documents(world):
    user, group, hidden = (
        to_global_id(t, o.pk)
        for t, o in (("User", world["alice"]), ("Group", world["board"]), ("User", world["hidden"]))
    )
    return [
        f'{{ node(id: "{user}") {{ id __typename ... on User {{ username email }} }} }}',
        f'{{ n: node(id: "{group}") {{ ... on Group {{ name members {{ totalCount }} }} }} user(id: "{user}") {{ id }} }}',
        f'{{ node(id: "{hidden}") {{ id }} group(id: "{group}") {{ name members(first: 1) {{ edges {{ node {{ id }} }} }} }} }}',
    ]


@pytest.mark.parametrize("token", list(TOKENS))
def test_handwritten_documents_answer_the_same_both_ways(world, token):
    for text in [*HANDWRITTEN, *node_documents(world)]:
        document = parse(text)
        assert not validate(SCHEMA, document), text
        planned, results = both_ways(SCHEMA, document, {"n": 3}, fresh_context=context_for(token))
        assert planned is not None, text
        assert_same(results)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    document=queries(SCHEMA, print_ast=lambda document: document),
    seed=st.integers(0, 2**32),
    token=st.sampled_from(list(TOKENS)),
)
def test_generated_documents_answer_the_same_both_ways(world, document, seed, token):
    users = [to_global_id("User", world[name].pk) for name in ("alice", "root", "hidden")]
    ids = {"user": users, "group": [to_global_id("Group", world["board"].pk)]}
    reshaped = reshape(parse(print_ast(document)), SCHEMA, random.Random(seed), ids)
    if reshaped is None:
        return
    document, variables = reshaped
    planned, results = both_ways(SCHEMA, document, variables, fresh_context=context_for(token))
    assert planned is not None
    assert_same(results)


def test_what_a_plan_does_not_compile_runs_on_graphql_core():
    for text in [
        'mutation { updateMe(input: {firstName: "x"}) { errors { code } } }',
        "query($s: Boolean!) { me @include(if: $s) { id } }",
        "{ __schema { queryType { name } } }",
        "{ me { ... on User @skip(if: true) { id } } }",
    ]:
        document = parse(text)
        assert compile_plan(SCHEMA, document, get_operation_ast(document)) is None, text


# --- A schema whose resolvers fail on purpose ----------------------------------------------------

FAULTY = build_schema(
    """
    type Query {
      item(id: Int!): Item
      strict(id: Int!): Item!
      items(n: Int!): [Item!]
      loose(n: Int!): [Item]!
      thing(id: Int!): Thing
      things(n: Int!): [Thing]
      when: String
    }
    interface Thing { id: Int! }
    type Item implements Thing {
      id: Int!
      name: String
      must: String!
      bad: Int
      flag: Boolean!
      children(n: Int!): [Item!]!
      maybe(n: Int!): [Item]
      parent: Item
      notAList: [Int]
      label: String!
      score: Int
    }
    type Other implements Thing { id: Int! other: String! }
    """
)


def _faulty_resolvers():
    def items(n, start=1):
        return [_item(start * 10 + i) for i in range(abs(n) % 4)]

    def _item(id):
        return {"id": id, **({"label": f"l{id}"} if id % 3 else {}), "score": "x" if id % 4 == 1 else id}

    def name(item, info):
        if item["id"] % 5 == 0:
            raise ValueError(f"no name for {item['id']}")
        return None if item["id"] % 3 == 0 else f"item {item['id']}"

    query, item, thing = FAULTY.query_type.fields, FAULTY.type_map["Item"].fields, FAULTY.type_map["Thing"]
    query["item"].resolve = lambda root, info, id: None if id % 6 == 0 else _item(abs(id))
    query["strict"].resolve = lambda root, info, id: None if id % 2 else _item(abs(id))
    query["items"].resolve = lambda root, info, n: items(n)
    query["loose"].resolve = lambda root, info, n: [*items(n), None]
    query["thing"].resolve = lambda root, info, id: {"id": abs(id), "other": "o" if id % 4 else None}
    query["things"].resolve = lambda root, info, n: [{"id": i, "other": "x"} for i in range(abs(n) % 5)]
    query["when"].resolve = lambda root, info: datetime(2026, 1, 1, tzinfo=UTC)  # not a String: fails to serialize
    item["name"].resolve = name
    item["must"].resolve = lambda i, info: None if i["id"] % 4 == 0 else "m"
    item["bad"].resolve = lambda i, info: "x" if i["id"] % 2 else i["id"]
    item["flag"].resolve = lambda i, info: None if i["id"] % 7 == 0 else True
    item["children"].resolve = lambda i, info, n: items(n, i["id"]) if i["id"] < 10_000 else []
    item["maybe"].resolve = lambda i, info, n: ValueError("maybe not") if n % 3 == 0 else [None, *items(n, i["id"])]
    item["parent"].resolve = lambda i, info: {"id": i["id"] // 10} if i["id"] >= 10 else None
    item["notAList"].resolve = lambda i, info: 7
    # graphene's default resolver, which plans read inline: a missing key is null, a wrong value fails
    item["label"].resolve = partial(dict_or_attr_resolver, "label", None)
    item["score"].resolve = partial(dict_or_attr_resolver, "score", None)
    thing.resolve_type = lambda value, info, abstract: (
        None if value["id"] % 11 == 0 else "Nope" if value["id"] % 13 == 0 else "Item" if value["id"] % 2 else "Other"
    )


_faulty_resolvers()


@settings(max_examples=80, deadline=None)
@given(document=queries(FAULTY, print_ast=lambda document: document), seed=st.integers(0, 2**32))
def test_failing_resolvers_answer_the_same_both_ways(document, seed):
    reshaped = reshape(parse(print_ast(document)), FAULTY, random.Random(seed))
    if reshaped is None:
        return
    document, variables = reshaped
    _, results = both_ways(FAULTY, document, variables)
    assert_same(results)


@pytest.mark.parametrize(
    "text",
    [
        "{ items(n: 3) { id must name } loose(n: 2) { id must } }",  # nulls in non-null fields propagate
        "{ strict(id: 1) { id } item(id: 2) { id } }",  # a null root non-null field nulls everything
        "{ item(id: 4) { children(n: 3) { must children(n: 2) { name } } maybe(n: 3) { id } } }",
        "{ thing(id: 11) { id } t: thing(id: 13) { id } o: thing(id: 4) { ... on Other { other } } }",
        "{ things(n: 4) { __typename id ... on Item { flag bad } } when item(id: 7) { flag notAList } }",
        "{ item(id: 35) { name parent { name parent { must } } } }",
        "{ items(n: 3) { label score } item(id: 5) { label score } }",
    ],
)
def test_errors_and_null_propagation_are_graphql_cores(text):
    _, results = both_ways(FAULTY, parse(text), {})
    assert results[0].errors  # each case fails somewhere
    assert_same(results)


# --- Through /graphql: the same answers with plans on and off ---------------------------------

HTTP_CASES = [
    ("partial data", "read", "{ me { username groups { totalCount } } users(first: 2) { edges { node { id } } } }"),
    ("every root field denied", "read", '{ groups { totalCount } g: group(id: "R3JvdXA6MQ==") { name } }'),
    ("argument denied", "read", '{ users(group: "board") { totalCount } me { username } }'),
    ("nested denial per object", "groups", "{ groups { edges { node { name members { totalCount } } } } }"),
    ("client credentials", None, "{ me { id } rateLimit { cost } }"),
]


@pytest.mark.parametrize("case, scopes, query", HTTP_CASES, ids=[c[0] for c in HTTP_CASES])
def test_http_answers_are_the_same_with_plans_on_and_off(graphql, world, make_token, settings, case, scopes, query):
    answers = []
    for planned in (False, True):
        settings.GRAPHQL_COMPILED_PLANS = planned
        DOCUMENTS.clear()  # new both times: the same price (schema.pricing)
        user = None if scopes is None else world["alice"]
        response = graphql(query, token=make_token(user, scopes or "read groups"))
        headers = {name: response.headers.get(name) for name in ("WWW-Authenticate", "X-Accepted-OAuth-Scopes")}
        answers.append((response.status, response.body.get("data"), response.errors, headers))
    assert answers[0] == answers[1]
    assert answers[1][2]  # each case answers with errors


def test_a_value_of_the_wrong_model_fails_where_graphql_core_fails_it(world):
    """graphene-django's type check, which plans ask once per class, still refuses other models."""

    class GroupType(DjangoObjectType):
        class Meta:
            model = Group
            fields = ("name",)

    class Query(graphene.ObjectType):
        groups = graphene.List(GroupType)

        def resolve_groups(root, info):
            return [world["board"], world["alice"], world["board"], world["root"]]

    probe = graphene.Schema(query=Query).graphql_schema
    _, results = both_ways(probe, parse("{ groups { name } }"), {})
    assert [e.path for e in results[0].errors] == [["groups", 1], ["groups", 3]]
    assert_same(results)


def test_a_plan_that_cannot_be_compiled_leaves_the_operation_to_graphql_core(
    graphql, world, make_token, monkeypatch, caplog, settings
):
    settings.GRAPHQL_COMPILED_PLANS = True  # the suite also runs with plans off (make test)

    def broken(*args):
        raise RuntimeError("compiler defect")

    monkeypatch.setattr("schema.documents.compile_plan", broken)
    response = graphql("{ me { username } } # a document of its own", token=make_token(world["alice"], "read"))
    assert (response.status, response.data) == (200, {"me": {"username": "alice"}})
    assert "Could not compile a plan" in caplog.text


# --- Guard rails (issue 15 item 5) -------------------------------------------------------------

SEEN_BY_MIDDLEWARE = []


def recording_middleware(resolve, root, info, **args):
    SEEN_BY_MIDDLEWARE.append(info.field_name)
    return resolve(root, info, **args)


def test_configured_middleware_runs_on_every_field_so_nothing_is_planned(graphql, alice, make_token, settings):
    from schema import documents

    settings.GRAPHQL_MIDDLEWARE = ["tests.schema.test_plan.recording_middleware"]
    documents.DOCUMENTS.clear()
    SEEN_BY_MIDDLEWARE.clear()
    response = graphql("{ me { username } }", token=make_token(alice))
    assert response.data == {"me": {"username": "alice"}}
    assert SEEN_BY_MIDDLEWARE == ["me", "username"]
    prepared = documents.prepare("{ me { username } }")
    assert prepared.plans.get(None) is None


def test_a_resolver_reading_info_path_under_a_plan_fails_loudly():
    class Query(graphene.ObjectType):
        where = graphene.List(graphene.String)

        def resolve_where(root, info):
            return [str(part) for part in info.path.as_list()]

    probe = graphene.Schema(query=Query).graphql_schema
    document = parse("{ here: where }")
    planned, (reference, by_plan) = both_ways(probe, document, None, context=SimpleNamespace())
    assert planned is not None
    assert reference.data == {"here": ["here"]}
    assert by_plan.data == {"here": None}
    assert "info.path is not available" in by_plan.errors[0].message
