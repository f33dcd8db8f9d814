"""The scope gate: the one place where /graphql enforces scopes (SPEC §3, §4).

Policies are declared where fields are declared, as the SPEC §4 table reads::

    me = scoped(graphene.Field(User), "read", needs_user=True)

    @scoped_type("read")             # every field of User needs `read`...
    class User(DjangoObjectType):
        groups = scoped(..., "groups")   # ...unless the field says otherwise

``install_gates`` then walks the built schema once: it wraps each gated resolver with the check,
appends "Requires scopes: ..." to the field's description, and records the policy in the field's
``extensions`` for the static analysis. A field with no policy resolves to an error (default deny),
and ``undeclared_fields`` lists such fields so that a test fails on them.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import graphene
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema

from schema.errors import Code, api_error, insufficient_scope, not_found
from schema.ids import decode_global_id

POLICY = "scope_policy"  # key in GraphQLField.extensions


@dataclass(frozen=True)
class Policy:
    scopes: frozenset[str] = frozenset()
    needs_user: bool = False
    permission: str | None = None
    by_node_type: bool = False  # `node`: the policy of whatever type the id names

    @property
    def is_public(self) -> bool:
        return not (self.scopes or self.needs_user or self.permission or self.by_node_type)

    def describe(self) -> str:
        if self.by_node_type:
            return "Requires the scopes of the type the id resolves to."
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


def scoped(field, *scopes: str, needs_user: bool = False, permission: str | None = None) -> graphene.Field:
    """Declare the scopes (and, for some fields, a user and a Django permission) a field needs."""
    return _declare(field, Policy(frozenset(scopes), needs_user, permission))


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


def _declared_policy(graphql_type: GraphQLObjectType, field_name: str) -> Policy | None:
    if graphql_type.name in PUBLIC_TYPE_NAMES:
        return PUBLIC
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if graphene_type is None:
        return None
    for python_name, field in graphene_type._meta.fields.items():
        if (getattr(field, "name", None) or to_camel_case(python_name)) == field_name:
            policy = getattr(field, "scope_policy", None)
            if policy is not None:
                return policy
    return type_policy(graphene_type)


def _object_fields(schema: GraphQLSchema) -> Iterator[tuple[GraphQLObjectType, str, GraphQLField]]:
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                yield graphql_type, name, field


def undeclared_fields(schema: GraphQLSchema) -> list[str]:
    return [f"{t.name}.{name}" for t, name, _ in _object_fields(schema) if _declared_policy(t, name) is None]


def install_gates(schema: GraphQLSchema) -> None:
    for graphql_type, name, field in _object_fields(schema):
        policy = _declared_policy(graphql_type, name)
        if policy is None:
            field.resolve = _undeclared(f"{graphql_type.name}.{name}")
            continue
        field.extensions = {**(field.extensions or {}), POLICY: policy}
        if policy.is_public:
            continue
        field.description = f"{field.description}\n\n{policy.describe()}" if field.description else policy.describe()
        if policy.by_node_type:
            field.resolve = _gate_node(field.resolve)
        else:
            field.resolve = _gate(field.resolve, policy)


def check(policy: Policy, request) -> None:
    """Raise the error a request gets for a field with this policy, if any."""
    principal = request.principal
    if not policy.scopes <= principal.scopes:
        raise insufficient_scope(policy.scopes, principal.scopes)
    if (policy.needs_user or policy.permission) and principal.user is None:
        raise api_error(Code.FORBIDDEN, "This field needs a user, and the token has no user.")
    if policy.permission and not principal.user.has_perm(policy.permission):
        raise api_error(Code.FORBIDDEN, f"This field requires the '{policy.permission}' permission.")


def _gate(resolve: Callable, policy: Policy) -> Callable:
    def gated(root, info, **args):
        check(policy, info.context)
        return resolve(root, info, **args)

    return gated


def _gate_node(resolve: Callable) -> Callable:
    """`node(id)`: the gate of the type the global id names, checked before anything is loaded."""

    def gated(root, info, id, **args):
        decoded = decode_global_id(id)
        graphql_type = info.schema.get_type(decoded[0]) if decoded else None
        is_node = any(interface.name == "Node" for interface in getattr(graphql_type, "interfaces", ()))
        policy = type_policy(getattr(graphql_type, "graphene_type", None))
        if policy is None or not is_node:
            raise not_found(id)
        check(policy, info.context)
        node = resolve(root, info, id=id, **args)
        if node is None:
            raise not_found(id)
        return node

    return gated


def _undeclared(coordinate: str) -> Callable:
    def deny(root, info, **args):
        raise api_error(Code.FORBIDDEN, f"{coordinate} has no scope policy, so it is denied.")

    return deny
