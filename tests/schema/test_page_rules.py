"""SPEC §5: every list and connection field has a page rule (or a declared bound), as every field has
a scope policy (SPEC §4): a field without one is found by this walk and denied at run time."""

import graphene
from django.contrib.auth.models import Group
from graphene_django import DjangoObjectType

from schema.connections import CountedConnection, fields_without_page_rule, install_page_rules
from schema.gate import install_gates, public, public_type
from schema.loaders import Loaders
from schema.schema import schema
from tests.schema.test_gate import principal_request


def test_every_list_and_connection_field_of_the_schema_has_a_page_rule():
    assert fields_without_page_rule(schema.graphql_schema) == []


def test_a_list_or_connection_without_a_page_rule_is_found_and_denied(db):
    @public_type
    class PagelessGroup(DjangoObjectType):
        class Meta:
            model = Group
            name = "PagelessGroup"
            interfaces = (graphene.relay.Node,)
            connection_class = CountedConnection
            fields = ("name",)

    class Query(graphene.ObjectType):
        everything = public(graphene.List(PagelessGroup))
        relay = public(graphene.relay.ConnectionField(PagelessGroup._meta.connection))

        def resolve_everything(root, info):
            return Group.objects.all()

        def resolve_relay(root, info, **args):
            return Group.objects.all()

    probe = graphene.Schema(query=Query)
    install_gates(probe.graphql_schema)
    install_page_rules(probe.graphql_schema)
    assert fields_without_page_rule(probe.graphql_schema) == ["Query.everything", "Query.relay"]
    Group.objects.create(name="g")
    request = principal_request({"read"})
    request.loaders = Loaders(request)
    result = probe.execute("{ everything { name } relay { totalCount } }", context_value=request)
    assert result.data == {"everything": None, "relay": None}
    assert [e.message for e in result.errors] == [
        "Query.everything has no page rule, so it is denied.",
        "Query.relay has no page rule, so it is denied.",
    ]
