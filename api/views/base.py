"""What every API view shares: agents only, the signed-in user as a typed value, and a
bad query parameter (the read layer's InvalidFilter) answered as a 400 naming it."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from api.authentication import ThrottledTokenAuthentication
from api.pagination import KeysetPagination
from api.parsers import SafeJSONParser
from api.permissions import IsAgent
from conversations.params import InvalidFilter


class AgentViewSet(GenericViewSet):  # type: ignore[type-arg]
    # Token first: a request without credentials gets 401 with `WWW-Authenticate: Token`
    # (DRF asks the first class for that header; the session class has none, so 403).
    authentication_classes = [ThrottledTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAgent]
    # Form posts stay as DRF's defaults; JSON nested too deeply is a 400, not a 500.
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]
    lookup_value_regex = r"[0-9]+"

    @property
    def user(self) -> User:
        # IsAgent has run: the user is signed in.
        return cast(User, self.request.user)

    @property
    def keyset(self) -> KeysetPagination:
        """The paginator of a list that pages by cursor (pagination_class)."""
        return cast(KeysetPagination, self.paginator)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, InvalidFilter):
            exc = ValidationError({exc.param: [exc.message]})
        return super().handle_exception(exc)


class Refused(APIException):
    """400 with a sentence for the user: an action refused what was asked."""

    status_code = 400
    default_detail = "The request was refused."
    default_code = "refused"
