"""Canned responses and macros: every agent uses their own, their teams' and everyone's;
changes to shared ones are for leads and admins (macros.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.macros import (
    AppliedSerializer,
    ApplyMacroSerializer,
    CannedResponseSerializer,
    MacroSerializer,
)
from api.views.base import AgentViewSet
from conversations.access import visible_conversations
from macros.access import NotYours, access_shared, check_may_share, usable
from macros.actions import (
    MacroFailed,
    do_apply_macro,
    do_delete_shared,
    do_save_canned,
    do_save_macro,
)
from macros.models import CannedResponse, Macro

ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _scope_fields(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The owner and team that the asked scope means, if this user may share so."""
    scope = data.pop("scope", None)
    if scope is None:
        return data
    owner_id = user.pk if scope == "personal" else None
    try:
        check_may_share(user, owner_id=owner_id)
    except NotYours as exc:
        raise PermissionDenied(str(exc)) from exc
    data["owner"] = user if scope == "personal" else None
    data["team"] = data.get("team") if scope == "team" else None
    return data


class SharedViewSet(AgentViewSet):
    model: Any  # CannedResponse or Macro

    def get_queryset(self) -> QuerySet[Any]:
        return usable(self.user, self.model)

    def _item(self, pk: str, *, for_write: bool = False) -> Any:
        try:
            return access_shared(self.user, self.model, pk, for_write=for_write)
        except NotYours as exc:
            raise PermissionDenied(str(exc)) from exc

    def _save(self, item: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self._item(pk)).data)

    def create(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _scope_fields(self.user, {"scope": "personal", **dict(data.validated_data)})
        item = self._save(None, fields)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PATH])
    def partial_update(self, request: Request, pk: str) -> Response:
        item = self._item(pk, for_write=True)
        data = self.get_serializer(item, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = self._save(item, _scope_fields(self.user, dict(data.validated_data)))
        return Response(self.get_serializer(item).data)

    @extend_schema(parameters=[ID_PATH], responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        do_delete_shared(self._item(pk, for_write=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["canned responses"])
class CannedResponseViewSet(SharedViewSet):
    serializer_class = CannedResponseSerializer
    model = CannedResponse

    def _save(self, item: Any, data: dict[str, Any]) -> Any:
        return do_save_canned(item, **data)


@extend_schema(tags=["macros"])
class MacroViewSet(SharedViewSet):
    serializer_class = MacroSerializer
    model = Macro

    def _save(self, item: Any, data: dict[str, Any]) -> Any:
        try:
            return do_save_macro(item, **data)
        except ValueError as exc:
            raise ValidationError({"actions": [str(exc)]}) from exc

    @extend_schema(parameters=[ID_PATH], request=ApplyMacroSerializer,
                   responses={200: AppliedSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str) -> Response:
        """Run the macro on a conversation: every step or none (400 says which failed)."""
        macro = self._item(pk)
        data = ApplyMacroSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = visible_conversations(self.user).select_related("customer").filter(
            pk=data.validated_data["conversation"]).first()
        if conversation is None:
            raise NotFound("No such conversation.")
        try:
            done = do_apply_macro(macro, conversation, by=self.user)
        except MacroFailed as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(AppliedSerializer({"done": done}).data)
