"""Customers: directory, profile, identities, merge, and the cross-channel timeline."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import filter_customers, order_interactions
from api.serializers.customers import (
    CustomerCreateSerializer,
    CustomerProfileSerializer,
    CustomerSerializer,
    IdentityConflictSerializer,
    IdentityInputSerializer,
    IdentitySerializer,
    MergeInputSerializer,
)
from api.serializers.interactions import (
    INTERACTION_PREFETCH,
    INTERACTION_SELECT,
    InteractionSerializer,
)
from api.views.base import AgentViewSet
from conversations.access import visibility_filter
from conversations.models import Interaction
from customers.access import access_customer, visible_customers
from customers.actions.merge import MergeError, do_merge_customers
from customers.actions.profile import (
    IdentityTaken,
    do_add_identity,
    do_create_customer,
    do_remove_identity,
    do_update_customer,
)
from customers.identities import InvalidIdentity
from customers.models import Customer, Identity

ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)
IDENTITY_PATH = OpenApiParameter("identity_id", int, OpenApiParameter.PATH)
CONFLICT = OpenApiResponse(IdentityConflictSerializer, description="Taken by another customer.")


def _conflict(exc: IdentityTaken, customer: Customer | None) -> Response:
    other = exc.identity.customer_id
    merge_url = reverse("customer-merge", args=[customer.pk]) if customer else None
    detail = f"{exc}. Merge the two customers instead" + (
        f": POST {{\"other\": {other}}} to {merge_url}." if merge_url else "."
    )
    body = {"detail": detail, "customer": other,
            "identity": IdentitySerializer(exc.identity).data, "merge_url": merge_url}
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema(tags=["customers"])
class CustomerViewSet(AgentViewSet):
    """Who reads and changes which customer: customers.access (404 for what the agent
    may not read, 403 for what they may read but not change); timelines are
    team-scoped."""

    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        return visible_customers(self.user).prefetch_related("identities")

    def _customer(self, *, for_write: bool = False) -> Customer:
        customer = access_customer(self.user, self.kwargs["pk"], for_write=for_write)
        return Customer.objects.prefetch_related("identities").get(pk=customer.pk)

    @extend_schema(parameters=[
        OpenApiParameter("search", str, description="Part of a name or identity value."),
        OpenApiParameter("identity", str, description="An exact email, phone number (any "
                         "format) or external id."),
    ])
    def list(self, request: Request) -> Response:
        qs = filter_customers(self.get_queryset(), request.query_params)
        page = self.paginate_queryset(qs.order_by("-updated_at", "-id"))
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    @extend_schema(request=CustomerCreateSerializer, responses={201: CustomerSerializer,
                                                                 409: CONFLICT})
    def create(self, request: Request) -> Response:
        data = CustomerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        identities = [(i["kind"], i["value"]) for i in fields.pop("identities")]
        try:
            customer = do_create_customer(identities=identities, **fields)
        except InvalidIdentity as exc:
            raise ValidationError({"identities": [str(exc)]}) from exc
        except IdentityTaken as exc:
            return _conflict(exc, None)
        customer = Customer.objects.prefetch_related("identities").get(pk=customer.pk)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CustomerSerializer(self._customer()).data)

    @extend_schema(parameters=[ID_PATH], request=CustomerProfileSerializer,
                   responses=CustomerSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        customer = self._customer(for_write=True)
        data = CustomerProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        do_update_customer(customer, **data.validated_data)
        return Response(CustomerSerializer(self._customer()).data)

    @extend_schema(parameters=[ID_PATH], request=IdentityInputSerializer,
                   responses={201: IdentitySerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="identities")
    def add_identity(self, request: Request, pk: str) -> Response:
        customer = self._customer(for_write=True)
        data = IdentityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            identity = do_add_identity(
                customer, fields["kind"], fields["value"], verified=fields["verified"]
            )
        except InvalidIdentity as exc:
            raise ValidationError({"value": [str(exc)]}) from exc
        except IdentityTaken as exc:
            return _conflict(exc, customer)
        return Response(IdentitySerializer(identity).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PATH, IDENTITY_PATH], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"identities/(?P<identity_id>[0-9]+)")
    def remove_identity(self, request: Request, pk: str, identity_id: str) -> Response:
        customer = self._customer(for_write=True)
        try:
            do_remove_identity(customer, int(identity_id))
        except Identity.DoesNotExist as exc:
            raise NotFound(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[ID_PATH], request=MergeInputSerializer,
                   responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        target = self._customer(for_write=True)
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            source = access_customer(self.user, data.validated_data["other"], for_write=True)
        except Http404 as exc:
            raise ValidationError({"other": ["No such customer."]}) from exc
        try:
            do_merge_customers(target=target, source=source, by=self.user)
        except MergeError as exc:
            raise ValidationError({"other": [str(exc)]}) from exc
        return Response(CustomerSerializer(self._customer()).data)

    @extend_schema(
        parameters=[ID_PATH, OpenApiParameter("order", str, enum=["asc", "desc"],
                                              description="Time order; default asc.")],
        responses=InteractionSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        """Every interaction of the customer, on every channel and conversation the
        agent may see, in time order."""
        customer = access_customer(self.user, pk)
        qs = Interaction.objects.filter(customer=customer)
        rule = visibility_filter(self.user, prefix="conversation__")
        if rule is not None:
            qs = qs.filter(rule)
        qs = order_interactions(
            qs.select_related(*INTERACTION_SELECT).prefetch_related(*INTERACTION_PREFETCH),
            request.query_params, default="asc",
        )
        page = self.paginate_queryset(qs)
        serializer = InteractionSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)
