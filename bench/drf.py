"""The REST tutorial's `me` view: DRF with DOT's OAuth2Authentication (bench/requirements.txt only)."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication, TokenHasScope
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class DrfMe(APIView):
    """The REST tutorial's approach: DRF with DOT's OAuth2Authentication and a scope check."""

    authentication_classes = [OAuth2Authentication]
    permission_classes = [TokenHasScope]
    required_scopes = ["read"]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.username, "email": user.email})
