"""The users × groups query written naively with graphene-django, as the baseline of issue 4's target 2:
stock DjangoObjectTypes and DjangoConnectionFields (a groups query and a count per user), the stock
GraphQLView, and DOT's `protected_resource` decorator for the token. Only for comparison."""

import graphene
from django.contrib.auth.models import Group
from django.views.decorators.csrf import csrf_exempt
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphene_django.registry import Registry
from graphene_django.views import GraphQLView
from oauth2_provider.decorators import protected_resource

from users.models import User

registry = Registry()  # keep the product schema's model-to-type registry untouched


class NaiveGroup(DjangoObjectType):
    class Meta:
        model = Group
        registry = registry
        interfaces = (graphene.relay.Node,)
        fields = ("id", "name")
        name = "Group"


class NaiveUser(DjangoObjectType):
    class Meta:
        model = User
        registry = registry
        interfaces = (graphene.relay.Node,)
        fields = ("id", "username", "email")
        name = "User"

    groups = DjangoConnectionField(NaiveGroup)

    def resolve_groups(user, info, **kwargs):
        return user.groups.all()


class Query(graphene.ObjectType):
    users = DjangoConnectionField(NaiveUser)


schema = graphene.Schema(query=Query)
view = protected_resource(scopes=["read"])(csrf_exempt(GraphQLView.as_view(schema=schema)))
