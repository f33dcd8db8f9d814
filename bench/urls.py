"""The product's URLs plus two views of the same data as ``{ me { id username email } }``, for comparison only."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench import naive
from project.urls import urlpatterns as product_urlpatterns
from users.models import User

BENCH_USERNAME = "bench"


def bare_me(request: HttpRequest) -> JsonResponse:
    """A bare Django JSON view: no authentication, one query for a fixed user."""
    return JsonResponse(User.objects.values("id", "username", "email").get(username=BENCH_USERNAME))


class DrfMe(APIView):
    """The REST tutorial's approach: DRF with DOT's OAuth2Authentication and a scope check."""

    authentication_classes = [OAuth2Authentication]
    permission_classes = [TokenHasScope]
    required_scopes = ["read"]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.username, "email": user.email})


urlpatterns = [
    path("bench/bare", bare_me),
    path("bench/naive-graphql", naive.view),
    path("bench/drf", DrfMe.as_view()),
    *product_urlpatterns,
]
