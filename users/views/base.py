"""What every OAuth2 endpoint of ours shares: RFC 6749 §5.2's error body."""

from django.http import JsonResponse


def oauth_error(error: str, description: str, status: int) -> JsonResponse:
    """RFC 6749 §5.2's error body."""
    return JsonResponse({"error": error, "error_description": description}, status=status)
