"""The API's two kinds of pages.

Lists that grow without bound (conversations, timelines, interactions, customers) page
by cursor: `{"next": <url or null>, "results": [...]}`, plus `"count"` only with
`?count=true` (counting costs more than the page). Follow `next` for the following
page. Short lists (inboxes, teams, agents) keep page numbers and a count.
"""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from conversations.keyset import MAX_PAGE_SIZE, Page, PageRequest
from conversations.params import InvalidFilter


class NumberedPagePagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 200), with a count: for short lists only."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class KeysetPagination(BasePagination):
    """Pages by an opaque cursor the read layer made (conversations.keyset). The view
    asks `page_request(request)`, runs its read-layer query, and answers `respond(...)`."""

    request: Request | None = None

    def page_request(self, request: Request) -> PageRequest:
        self.request = request
        if "page" in request.query_params:
            raise InvalidFilter("page", "this list pages by cursor: follow `next`")
        return PageRequest.parse(request.query_params)

    def respond(self, page: Page[Any], results: list[dict[str, Any]]) -> Response:
        body: dict[str, Any] = {"next": self._next_link(page)}
        if page.total is not None:
            body["count"] = page.total
        body["results"] = results
        return Response(body)

    def _next_link(self, page: Page[Any]) -> str | None:
        if page.next_cursor is None or self.request is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), "cursor", page.next_cursor
        )

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        raise NotImplementedError("keyset lists page in the read layer: use page_request")

    def get_paginated_response(self, data: Any) -> Response:
        raise NotImplementedError("keyset lists answer with respond(page, results)")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string", "format": "uri", "nullable": True,
                    "description": "The next page; null on the last one.",
                },
                "count": {
                    "type": "integer",
                    "description": "How many rows match, only with `?count=true`.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": "cursor", "required": False, "in": "query",
             "description": "From the `next` link of the previous page.",
             "schema": {"type": "string"}},
            {"name": "page_size", "required": False, "in": "query",
             "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default 50).",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
            {"name": "count", "required": False, "in": "query",
             "description": "`true` adds the number of matching rows (costs a count).",
             "schema": {"type": "boolean"}},
        ]
