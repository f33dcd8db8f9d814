"""What every mutation payload shares: the list of input errors (SPEC §4)."""

import graphene

from schema.connections import bounded
from schema.gate import public_type


@public_type
class InputError(graphene.ObjectType):
    """A problem with the mutation's input; when there is one, nothing was saved."""

    field = graphene.String(description="The input field at fault, or null for the input as a whole.")
    code = graphene.String(required=True, description="Machine-readable reason, e.g. `invalid`, `unique`.")
    message = graphene.String(required=True)


def input_errors_field():
    errors = graphene.Field(graphene.NonNull(graphene.List(graphene.NonNull(InputError))))
    return bounded(errors, "one error per input field at most")
