"""The scope gate: the one place where /graphql enforces scopes (SPEC §3, §4).

Policies are declared where fields are declared, as the SPEC §4 table reads::

    me = scoped(graphene.Field(User), "read", needs_user=True)
    users = scoped(ConnectionField(User), "read", arguments={"group": ["groups"], "search": []})

    @scoped_type("read")             # every field of User needs `read`...
    class User(DjangoObjectType):
        groups = scoped(..., "groups")   # ...unless the field says otherwise

``install_gates`` then walks the built schema once: it wraps each gated resolver with the check,
appends "Requires scopes: ..." to the field's description, and records the policy in the field's
``extensions`` for the static analysis. A field with no policy resolves to an error (default deny),
and ``undeclared_fields`` lists such fields so that a test fails on them.

Arguments pass the gate too: a filter argument can reveal what its field does not show
(``users(group: "board") { totalCount }`` tells memberships), so every FilterSet argument of a
gated field declares the scopes it needs beyond the field's (``[]`` for none). An undeclared
filter argument is denied when given, and listed by ``undeclared_fields``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import graphene
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError, GraphQLField, GraphQLObjectType, GraphQLSchema

from schema.errors import Code, api_error, insufficient_scope, not_found
from schema.ids import decode_global_id

POLICY = "scope_policy"  # key in GraphQLField.extensions


@dataclass(frozen=True)
class Policy:
    scopes: frozenset[str] = frozenset()
    needs_user: bool = False
    permission: str | None = None
    by_node_type: bool = False  # `node`: the policy of whatever type the id names
    needs_token: bool = False  # any valid token, whatever its scopes (`rateLimit`)
    # GraphQL argument name -> the scopes it needs beyond the field's own, when it is given
    arguments: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def is_public(self) -> bool:
        return not (self.scopes or self.needs_user or self.permission or self.by_node_type or self.needs_token)

    def argument_scopes(self, name: str) -> frozenset[str] | None:
        return dict(self.arguments).get(name)

    def describe(self) -> str:
        if self.by_node_type:
            return "Requires the scopes of the type the id resolves to."
        if not self.scopes:
            return "Requires a valid token."
        return f"Requires scopes: {', '.join(sorted(self.scopes))}."


PUBLIC = Policy()
_TYPE_POLICIES: dict[type, Policy] = {}
# graphene's own relay type: structure, not data.
PUBLIC_TYPE_NAMES = {"PageInfo"}


def _declare(field, policy: Policy) -> graphene.Field:
    if not isinstance(field, graphene.Field):  # `graphene.String()` is mounted later, as a new object
        field = graphene.Field.mounted(field)
    field.scope_policy = policy
    return field


def scoped(
    field,
    *scopes: str,
    needs_user: bool = False,
    permission: str | None = None,
    arguments: dict[str, list[str]] | None = None,
) -> graphene.Field:
    """Declare the scopes (and, for some fields, a user, a Django permission, and what each filter
    argument needs beyond them) a field needs."""
    declared = tuple(sorted((name, frozenset(extra)) for name, extra in (arguments or {}).items()))
    return _declare(field, Policy(frozenset(scopes), needs_user, permission, arguments=declared))


def any_token(field) -> graphene.Field:
    return _declare(field, Policy(needs_token=True))


def public(field) -> graphene.Field:
    return _declare(field, PUBLIC)


def by_node_type(field) -> graphene.Field:
    return _declare(field, Policy(by_node_type=True))


def scoped_type(*scopes: str):
    """Class decorator: the default policy of every field of a type."""

    def declare(cls):
        _TYPE_POLICIES[cls] = Policy(frozenset(scopes))
        return cls

    return declare


def public_type(cls):
    _TYPE_POLICIES[cls] = PUBLIC
    edge = getattr(cls, "Edge", None)  # a relay Connection's generated edge type
    if edge is not None:
        _TYPE_POLICIES[edge] = PUBLIC
    return cls


def type_policy(graphene_type) -> Policy | None:
    """A type's declared policy, inherited (a relay Connection's generated types inherit theirs)."""
    for cls in getattr(graphene_type, "__mro__", ()):
        if cls in _TYPE_POLICIES:
            return _TYPE_POLICIES[cls]
    return None


def graphene_field(graphql_type: GraphQLObjectType, field_name: str):
    """The graphene field a GraphQL field was built from (declarations live on it), or None."""
    graphene_type = getattr(graphql_type, "graphene_type", None)
    for python_name, field in getattr(getattr(graphene_type, "_meta", None), "fields", {}).items():
        if (getattr(field, "name", None) or to_camel_case(python_name)) == field_name:
            return field
    return None


def _declared_policy(graphql_type: GraphQLObjectType, field_name: str) -> Policy | None:
    if graphql_type.name in PUBLIC_TYPE_NAMES:
        return PUBLIC
    policy = getattr(graphene_field(graphql_type, field_name), "scope_policy", None)
    return policy if policy is not None else type_policy(getattr(graphql_type, "graphene_type", None))


def filter_arguments(field) -> list[str]:
    """The GraphQL names of a field's FilterSet arguments (those that select by data)."""
    return [to_camel_case(name) for name in getattr(field, "filtering_args", None) or ()]


def _undeclared_arguments(graphql_type: GraphQLObjectType, name: str, policy: Policy) -> list[str]:
    return [a for a in filter_arguments(graphene_field(graphql_type, name)) if policy.argument_scopes(a) is None]


def _object_fields(schema: GraphQLSchema) -> Iterator[tuple[GraphQLObjectType, str, GraphQLField]]:
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                yield graphql_type, name, field


def undeclared_fields(schema: GraphQLSchema) -> list[str]:
    """Fields without a policy, and filter arguments without one (``Type.field(argument:)``)."""
    missing = []
    for graphql_type, name, _ in _object_fields(schema):
        policy = _declared_policy(graphql_type, name)
        if policy is None:
            missing.append(f"{graphql_type.name}.{name}")
        else:
            missing += [f"{graphql_type.name}.{name}({a}:)" for a in _undeclared_arguments(graphql_type, name, policy)]
    return missing


def install_gates(schema: GraphQLSchema) -> None:
    for graphql_type, name, field in _object_fields(schema):
        policy = _declared_policy(graphql_type, name)
        if policy is None:
            field.resolve = _undeclared(f"{graphql_type.name}.{name}")
            continue
        field.extensions = {**(field.extensions or {}), POLICY: policy}
        if policy.is_public:
            continue
        field.description = with_scopes(field.description, policy.describe())
        for argument_name, argument in field.args.items():  # SPEC §4: an argument needing more says so itself
            extra = policy.argument_scopes(argument_name)
            if extra:
                argument.description = with_scopes(argument.description, Policy(policy.scopes | extra).describe())
        if policy.by_node_type:
            field.resolve = _gate_node(field.resolve)
        else:
            arguments = _argument_rules(field, policy, _undeclared_arguments(graphql_type, name, policy))
            field.resolve = _gate(field.resolve, policy, arguments)


def with_scopes(description: str | None, scopes: str) -> str:
    """A description that ends with the scopes it requires (SPEC §4), so GraphiQL and the SDL show them."""
    return f"{description}\n\n{scopes}" if description else scopes


def _argument_rules(field: GraphQLField, policy: Policy, undeclared: list[str]) -> tuple:
    """(Python name, policy for when it is given) of the arguments that need more than the field."""
    rules = []
    for name, argument in field.args.items():
        extra = policy.argument_scopes(name)
        if name in undeclared:
            rules.append((argument.out_name or name, None))
        elif extra:
            rules.append((argument.out_name or name, Policy(policy.scopes | extra)))
    return tuple(rules)


def check(policy: Policy, request) -> None:
    """Raise the error a request gets for a field with this policy, if any."""
    principal = request.principal
    if policy.needs_token and principal.is_anonymous:
        raise api_error(Code.UNAUTHENTICATED, "This field needs a valid token.")
    if not policy.scopes <= principal.scopes:
        raise insufficient_scope(policy.scopes, principal.scopes)
    if (policy.needs_user or policy.permission) and principal.user is None:
        raise api_error(Code.FORBIDDEN, "This field needs a user, and the token has no user.")
    if policy.permission and not principal.user.has_perm(policy.permission):
        raise api_error(Code.FORBIDDEN, f"This field requires the '{policy.permission}' permission.")


def enforce(policy: Policy, arguments: tuple, request, args: dict) -> None:
    """The gate of one field: its policy, then each given argument's. It depends on the request and
    the arguments only, never on the object, so a compiled plan (``schema.plan``) decides it once per
    request and field, where graphql-core's executor asks it once per object."""
    check(policy, request)
    for name, argument_policy in arguments:
        if args.get(name) is not None:
            if argument_policy is None:
                raise api_error(Code.FORBIDDEN, f"The `{name}` argument has no scope policy, so it is denied.")
            check(argument_policy, request)


@dataclass(frozen=True)
class Gate:
    """What ``_gate`` wrapped: kept on the wrapper (``gated.gate``) for plans that enforce once."""

    policy: Policy
    arguments: tuple
    resolve: Callable


def _gate(resolve: Callable, policy: Policy, arguments: tuple = ()) -> Callable:
    def gated(root, info, **args):
        enforce(policy, arguments, info.context, args)
        return resolve(root, info, **args)

    gated.gate = Gate(policy, arguments, resolve)
    return gated


def _gate_node(resolve: Callable) -> Callable:
    """`node(id)`: the gate of the type the global id names, checked before anything is loaded."""

    def gated(root, info, id, **args):
        check_node_type(id, info.schema, info.context)
        node = resolve(root, info, id=id, **args)
        if node is None:
            raise not_found(id)
        return node

    gated.gate_by_node_type = True
    return gated


def check_node_type(global_id: str, schema: GraphQLSchema, request) -> None:
    """The gate of the Node type a global id names; ``not_found`` for an id that names no Node type."""
    decoded = decode_global_id(global_id)
    graphql_type = schema.get_type(decoded[0]) if decoded else None
    is_node = any(interface.name == "Node" for interface in getattr(graphql_type, "interfaces", ()))
    policy = type_policy(getattr(graphql_type, "graphene_type", None))
    if policy is None or not is_node:
        raise not_found(global_id)
    check(policy, request)


def scope_denial(field: GraphQLField, schema: GraphQLSchema, request, args: dict) -> GraphQLError | None:
    """The insufficient-scope error this field's gate gives this request with these arguments, or None.
    The gate depends on the token and the arguments only, so this is known before execution."""
    gate = getattr(field.resolve, "gate", None)
    try:
        if gate is not None:
            enforce(gate.policy, gate.arguments, request, args)
        elif getattr(field.resolve, "gate_by_node_type", False):
            check_node_type(args.get("id"), schema, request)
    except GraphQLError as error:
        if (error.extensions or {}).get("code") == Code.INSUFFICIENT_SCOPE.value:
            return error
    return None


def _undeclared(coordinate: str) -> Callable:
    def deny(root, info, **args):
        raise api_error(Code.FORBIDDEN, f"{coordinate} has no scope policy, so it is denied.")

    return deny
