"""The root types, and the gates installed once on the built schema."""

import graphene

from schema.gate import by_node_type, install_gates
from schema.groups import GroupMutation, GroupQuery
from schema.users import UserMutation, UserQuery


class Query(UserQuery, GroupQuery, graphene.ObjectType):
    node = by_node_type(graphene.relay.Node.Field())


class Mutation(UserMutation, GroupMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
install_gates(schema.graphql_schema)
