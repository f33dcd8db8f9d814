"""Users: the `User` type, `me`, `user`, `users` and `updateMe` (SPEC §4).

`User.groups` names its connection type by its dotted path: ``schema.groups`` imports this
module, never the other way round.
"""

from functools import partial

import graphene
from django.contrib.auth.models import Group as GroupModel
from graphene_django import DjangoObjectType

from schema.connections import ConnectionField, CountedConnection, NestedConnectionField
from schema.errors import not_found
from schema.filters import UserFilter
from schema.gate import public_type, scoped, scoped_type
from schema.ids import pk_from_global_id
from schema.nested_pages import Relation
from schema.payloads import input_errors_field
from users import services
from users.models import User as UserModel
from users.selectors import can_view_email, may_view_all_emails_in_one_query, users_visible_to


def viewer(info) -> UserModel | None:
    return info.context.principal.user


GROUPS_OF_A_USER = Relation(
    name="groups of a user",
    children=lambda request: GroupModel.objects.all(),
    through=UserModel.groups.through,
    parent_field="user",
    child_field="group",
    parent_lookup="user",
)


@scoped_type("read")
class User(DjangoObjectType):
    class Meta:
        model = UserModel
        name = "User"
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection
        fields = ("id", "username", "first_name", "last_name", "is_staff", "date_joined", "email")

    email = graphene.String(description="Visible to the user themself and to viewers allowed to view users.")
    groups = scoped(NestedConnectionField("schema.groups.GroupConnection", relation=GROUPS_OF_A_USER), "groups")

    @classmethod
    def get_queryset(cls, queryset, info):
        return users_visible_to(viewer(info), queryset)

    @classmethod
    def get_node(cls, info, id):
        """`node(id:)`: read once per request, as `user(id:)` is (the same key)."""
        return info.context.loaders.one(("User", str(id)), lambda: super(User, cls).get_node(info, id))

    def resolve_email(user, info):
        # The permission at most once per request (the loaders' memo), not once per user of a page.
        me = viewer(info)
        asked = partial(may_view_all_emails_in_one_query, me)
        may_view_all = partial(info.context.loaders.one, ("may view all emails",), asked)
        return user.email if can_view_email(me, user, may_view_all) else None


class UserQuery(graphene.ObjectType):
    me = scoped(graphene.Field(User, description="The token's user."), "read", needs_user=True)
    user = scoped(graphene.Field(User, id=graphene.ID(required=True)), "read")
    users = scoped(
        ConnectionField(User, filterset_class=UserFilter, scans=("search", "isStaff", "group")),
        "read",
        # `group` selects by membership, which only `groups` may see (SPEC §4).
        arguments={"search": [], "isStaff": [], "orderBy": [], "group": ["groups"]},
    )

    def resolve_me(root, info):
        return viewer(info)

    def resolve_user(root, info, id):
        pk = pk_from_global_id(id, "User")
        visible = users_visible_to(viewer(info)).filter(pk=pk).first
        found = info.context.loaders.one(("User", str(pk)), visible) if pk is not None else None
        if found is None:
            raise not_found(id)
        return found


class UpdateMeInput(graphene.InputObjectType):
    first_name = graphene.String()
    last_name = graphene.String()
    email = graphene.String()


@public_type
class UpdateMePayload(graphene.ObjectType):
    user = graphene.Field(User)
    errors = input_errors_field()


class UpdateMe(graphene.Mutation):
    """Change the token's user's names and email."""

    class Arguments:
        input = UpdateMeInput(required=True)

    Output = UpdateMePayload

    def mutate(root, info, input):
        user = viewer(info)
        changes = {name: value for name, value in input.items() if value is not None}
        errors = services.update_profile(user, changes)
        return UpdateMePayload(user=user, errors=errors)


class UserMutation(graphene.ObjectType):
    update_me = scoped(UpdateMe.Field(), "write", needs_user=True)
