"""The root types, and the gates and page rules installed once on the built schema."""

import graphene

from schema.connections import install_page_rules
from schema.gate import by_node_type, install_gates
from schema.groups import GroupMutation, GroupQuery
from schema.rate_limit import RateLimitQuery
from schema.users import UserMutation, UserQuery


class Query(UserQuery, GroupQuery, RateLimitQuery, graphene.ObjectType):
    node = by_node_type(graphene.relay.Node.Field())


class Mutation(UserMutation, GroupMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
install_gates(schema.graphql_schema)
install_page_rules(schema.graphql_schema)
