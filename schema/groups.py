"""Groups: the `Group` type, `group`, `groups` and membership mutations (SPEC §4)."""

import graphene
from django.contrib.auth.models import Group as GroupModel
from graphene_django import DjangoObjectType

from schema.connections import ConnectionField, CountedConnection, NestedConnectionField
from schema.errors import not_found
from schema.filters import GroupFilter
from schema.gate import public_type, scoped, scoped_type
from schema.ids import pk_from_global_id
from schema.nested_pages import Relation
from schema.payloads import input_errors_field
from schema.users import User, viewer
from users import services
from users.models import User as UserModel
from users.selectors import users_visible_to
from users.services import FieldError

MEMBERS_OF_A_GROUP = Relation(
    name="members of a group",
    children=lambda request: users_visible_to(request.principal.user),
    through=UserModel.groups.through,
    parent_field="group",
    child_field="user",
    parent_lookup="groups",
)


@scoped_type("groups")
class Group(DjangoObjectType):
    class Meta:
        model = GroupModel
        name = "Group"
        interfaces = (graphene.relay.Node,)
        connection_class = CountedConnection
        fields = ("id", "name")

    @classmethod
    def get_node(cls, info, id):
        """`node(id:)`: read once per request, as `group(id:)` is (the same key)."""
        return info.context.loaders.one(("Group", str(id)), lambda: super(Group, cls).get_node(info, id))

    members = scoped(
        NestedConnectionField(lambda: User._meta.connection, relation=MEMBERS_OF_A_GROUP), "groups", "read"
    )


GroupConnection = Group._meta.connection  # named so that `User.groups` can refer to it lazily


class GroupQuery(graphene.ObjectType):
    group = scoped(graphene.Field(Group, id=graphene.ID(required=True)), "groups")
    groups = scoped(
        ConnectionField(Group, filterset_class=GroupFilter, scans=("search",)),
        "groups",
        arguments={"search": [], "orderBy": []},
    )

    def resolve_group(root, info, id):
        pk = pk_from_global_id(id, "Group")
        found = (
            info.context.loaders.one(("Group", str(pk)), GroupModel.objects.filter(pk=pk).first)
            if pk is not None
            else None
        )
        if found is None:
            raise not_found(id)
        return found


class CreateGroupInput(graphene.InputObjectType):
    name = graphene.String(required=True)


@public_type
class CreateGroupPayload(graphene.ObjectType):
    group = graphene.Field(Group)
    errors = input_errors_field()


class CreateGroup(graphene.Mutation):
    class Arguments:
        input = CreateGroupInput(required=True)

    Output = CreateGroupPayload

    def mutate(root, info, input):
        group, errors = services.create_group(input.name)
        return CreateGroupPayload(group=group, errors=errors)


class GroupMemberInput(graphene.InputObjectType):
    group_id = graphene.ID(required=True)
    user_id = graphene.ID(required=True)


@public_type
class GroupMemberPayload(graphene.ObjectType):
    group = graphene.Field(Group)
    user = graphene.Field(User)
    errors = input_errors_field()


def resolve_membership(info, input) -> tuple[GroupModel | None, UserModel | None, list[FieldError]]:
    group_pk = pk_from_global_id(input.group_id, "Group")
    user_pk = pk_from_global_id(input.user_id, "User")
    group = GroupModel.objects.filter(pk=group_pk).first() if group_pk is not None else None
    user = users_visible_to(viewer(info)).filter(pk=user_pk).first() if user_pk is not None else None
    errors = []
    if group is None:
        errors.append(FieldError("groupId", "not_found", f"No group has the id {input.group_id!r}."))
    if user is None:
        errors.append(FieldError("userId", "not_found", f"No user has the id {input.user_id!r}."))
    return group, user, errors


class MembershipMutation(graphene.Mutation):
    """Add or remove a user of a group: ``change`` is the service that does it."""

    class Meta:
        abstract = True

    class Arguments:
        input = GroupMemberInput(required=True)

    Output = GroupMemberPayload
    change = None

    @classmethod
    def mutate(cls, root, info, input):
        group, user, errors = resolve_membership(info, input)
        if not errors:
            cls.change(group, user)
        return GroupMemberPayload(group=group, user=user, errors=errors)


class AddGroupMember(MembershipMutation):
    change = staticmethod(services.add_member)


class RemoveGroupMember(MembershipMutation):
    change = staticmethod(services.remove_member)


class GroupMutation(graphene.ObjectType):
    create_group = scoped(CreateGroup.Field(), "write", "groups", permission="auth.add_group")
    add_group_member = scoped(AddGroupMember.Field(), "write", "groups", permission="auth.change_group")
    remove_group_member = scoped(RemoveGroupMember.Field(), "write", "groups", permission="auth.change_group")
