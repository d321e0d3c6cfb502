"""Customers: directory, profile, identities, merge, and the cross-channel timeline.
Reads go through the read layer (customers.queries); answers are customers.payloads and
conversations.payloads."""

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

from api.pagination import KeysetPagination
from api.serializers.customers import (
    CustomerCreateSerializer,
    CustomerProfileSerializer,
    CustomerSerializer,
    IdentityConflictSerializer,
    IdentityInputSerializer,
    IdentitySerializer,
    MergeInputSerializer,
)
from api.serializers.interactions import InteractionSerializer
from api.views.base import AgentViewSet
from api.views.conversations import TIMELINE_PARAMETERS
from conversations.payloads import interaction_payload
from conversations.queries import show_remote_images, timeline_ordering
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
from customers.payloads import customer_payload, identity_payload
from customers.queries import (
    CustomerFilters,
    customer_directory,
    customer_timeline,
    customer_with_identities,
)

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
            "identity": identity_payload(exc.identity), "merge_url": merge_url}
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema(tags=["customers"])
class CustomerViewSet(AgentViewSet):
    """Who reads and changes which customer: customers.access (404 for what the agent
    may not read, 403 for what they may read but not change); timelines are
    team-scoped."""

    serializer_class = CustomerSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Customer]:
        return visible_customers(self.user)

    def _customer(self, *, for_write: bool = False) -> Customer:
        return customer_with_identities(self.user, self.kwargs["pk"], for_write=for_write)

    @extend_schema(parameters=[
        OpenApiParameter("search", str, description="Part of a name or identity value."),
        OpenApiParameter("identity", str, description="An exact email, phone number (any "
                         "format) or external id."),
    ])
    def list(self, request: Request) -> Response:
        filters = CustomerFilters.parse(request.query_params)
        page = customer_directory(self.user, filters, self.keyset.page_request(request))
        return self.keyset.respond(page, [customer_payload(c) for c in page.items])

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
        return Response(customer_payload(customer), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID_PATH])
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(customer_payload(self._customer()))

    @extend_schema(parameters=[ID_PATH], request=CustomerProfileSerializer,
                   responses=CustomerSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        customer = self._customer(for_write=True)
        data = CustomerProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        do_update_customer(customer, **data.validated_data)
        return Response(customer_payload(self._customer()))

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
        return Response(identity_payload(identity), status=status.HTTP_201_CREATED)

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
        return Response(customer_payload(self._customer()))

    @extend_schema(parameters=TIMELINE_PARAMETERS, responses=InteractionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        """Every interaction of the customer, on every channel and conversation the
        agent may see, in time order."""
        ordering = timeline_ordering("customer-timeline", request.query_params)
        show = show_remote_images(request.query_params)
        page = customer_timeline(self.user, pk, ordering, self.keyset.page_request(request))
        return self.keyset.respond(
            page, [interaction_payload(i, show_remote_images=show) for i in page.items]
        )
