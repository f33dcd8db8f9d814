"""The product's URLs plus the benchmark's comparison views (bench/views.py, bench/naive.py), for comparison only."""

from django.urls import path

from bench import drf, naive, views
from project.urls import urlpatterns as product_urlpatterns
from schema.authentication import GRAPHQL_PATHS
from schema.view import GraphQLView

UNPLANNED = "bench/graphql-unplanned"
GRAPHQL_PATHS.add(f"/{UNPLANNED}")  # the bearer-token middleware authenticates it as it does /graphql

urlpatterns = [
    path("bench/bare", views.bare_me),
    path("bench/drf", drf.DrfMe.as_view()),
    path("bench/prefetch-users", views.prefetch_users),
    path("bench/naive-graphql", naive.view),
    # /graphql itself with compiled plans off: what the plans are worth, in the same run (issue 15).
    path(UNPLANNED, GraphQLView.as_view(compiled_plans=False)),
    *product_urlpatterns,
]
