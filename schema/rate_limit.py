"""`rateLimit`: the caller's budget as of this request, this request's cost included (SPEC §4, §5)."""

from datetime import UTC, datetime

import graphene

from schema.gate import any_token, public_type


@public_type  # its one field is gated; what it holds is the caller's own
class RateLimit(graphene.ObjectType):
    limit = graphene.Int(required=True, description="Points per hour.")
    cost = graphene.Int(required=True, description="What this request costs.")
    remaining = graphene.Int(required=True, description="Points left in this hour, this request's cost taken.")
    used = graphene.Int(required=True, description="Points used in this hour, this request's cost included.")
    reset_at = graphene.DateTime(required=True, description="When the budget is full again.")


class RateLimitQuery(graphene.ObjectType):
    rate_limit = any_token(graphene.Field(RateLimit, description="The caller's rate budget (per user or client)."))

    def resolve_rate_limit(root, info):
        budget = info.context.budget
        return RateLimit(
            limit=budget.limit,
            cost=budget.cost,
            remaining=budget.remaining,
            used=budget.used,
            reset_at=datetime.fromtimestamp(budget.reset_at, tz=UTC),
        )
