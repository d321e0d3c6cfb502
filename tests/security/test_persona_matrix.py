"""Who may read and change what (issue 7, "a persona matrix test"): every API endpoint,
page and download, asked by every persona, answers exactly as its row says; a refused
write leaves the database as it was, an allowed one changes it; a list holds exactly
what the persona may see. The agent socket's part is at the end.

Add a page or an endpoint by appending a Row. Personas and objects: conftest.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import override_settings

from agents.models import Agent, Team
from conversations.actions.ingest import do_record_inbound
from conversations.actions.note import do_add_note
from conversations.models import Attachment, Conversation, ConversationRead, Inbox, Interaction
from customers.models import Consent, Customer, CustomerMerge, Identity
from helpcenter.models import Article, Category
from macros.models import CannedResponse, Macro
from realtime.models import RealtimeEvent
from routing.models import BusinessHours, RoutingRule, SLAPolicy
from tests.factories import inbound
from tests.realtime_helpers import connect_agent_socket, session_cookie_for
from tests.security.conftest import PERSONAS, World
from workspace.models import Notification

# A refused write must leave every one of these tables as it was.
WATCHED = (Customer, Identity, CustomerMerge, Consent, Conversation, Interaction, Attachment,
           Inbox, Agent, Team, RealtimeEvent, ConversationRead, Notification, CannedResponse,
           Macro, Article, Category, RoutingRule, SLAPolicy, BusinessHours)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in WATCHED}


def expect(admin: int, lead: int, agent_a: int, agent_b: int, agent_none: int,
           outsider: int = 403, anonymous: int = 401) -> dict[str, int]:
    """Statuses by persona; an API's defaults: a non-agent 403, no credentials 401."""
    return dict(zip(PERSONAS, (admin, lead, agent_a, agent_b, agent_none, outsider,
                               anonymous), strict=True))


def page(admin: int, lead: int, agent_a: int, agent_b: int, agent_none: int,
         outsider: int) -> dict[str, int]:
    """Statuses of a page or download: the anonymous browser is sent to sign in (302)."""
    return expect(admin, lead, agent_a, agent_b, agent_none, outsider, 302)


AGENTS = expect(200, 200, 200, 200, 200)
EVERYONE = {"admin", "lead", "agent_a", "agent_b", "agent_none"}
ALL_CUSTOMERS = {"cust_a", "cust_b", "cust_c", "cust_new"}
ALL_CONVERSATIONS = {"conv_a", "conv_b", "conv_b2", "conv_c"}
ALL_INTERACTIONS = {"int_a", "int_b1", "int_b2", "int_b3", "int_c"}
TEAM_B = {"conv_b", "conv_b2", "conv_c"}


def by_persona(staff: set[str], agent_a: set[str], agent_b: set[str],
               agent_none: set[str]) -> dict[str, set[str]]:
    return {"admin": staff, "lead": staff, "agent_a": agent_a, "agent_b": agent_b,
            "agent_none": agent_none}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str  # formatted with World.ids
    expect: dict[str, int]
    body: Callable[[dict[str, int]], dict[str, Any]] | None = None
    via: str = "api"  # "api": the persona's token; "browser": its session
    # For lists: the World.ids prefix of the objects listed, and what each persona gets.
    lists: str = ""
    listed: dict[str, set[str]] = field(default_factory=dict)
    content: bytes | None = None  # a download's bytes, for those who get it
    settings: tuple[tuple[str, Any], ...] = ()


ROWS = [
    # --- Customers: a shared directory; changes need a conversation in view ---------------
    Row("customer list", "GET", "/api/v1/customers/", AGENTS, lists="cust",
        listed={p: ALL_CUSTOMERS for p in EVERYONE}),
    Row("customer list, team directory", "GET", "/api/v1/customers/", AGENTS, lists="cust",
        listed=by_persona(ALL_CUSTOMERS, {"cust_a", "cust_new"},
                          {"cust_b", "cust_c", "cust_new"}, {"cust_c", "cust_new"}),
        settings=(("OMNIDESK_CUSTOMER_DIRECTORY", "team"),)),
    Row("customer create", "POST", "/api/v1/customers/", expect(201, 201, 201, 201, 201),
        body=lambda ids: {"name": "Eve", "identities": [
            {"kind": "email", "value": "eve@example.com"}]}),
    Row("customer detail", "GET", "/api/v1/customers/{cust_a}/", AGENTS),
    Row("customer detail, team directory", "GET", "/api/v1/customers/{cust_a}/",
        expect(200, 200, 200, 404, 404), settings=(("OMNIDESK_CUSTOMER_DIRECTORY", "team"),)),
    Row("customer detail nobody holds, team directory", "GET",
        "/api/v1/customers/{cust_new}/", AGENTS,
        settings=(("OMNIDESK_CUSTOMER_DIRECTORY", "team"),)),
    Row("customer edit (team A's)", "PATCH", "/api/v1/customers/{cust_a}/",
        expect(200, 200, 200, 403, 403), body=lambda ids: {"notes": "Prefers mornings"}),
    Row("customer edit, team directory", "PATCH", "/api/v1/customers/{cust_a}/",
        expect(200, 200, 200, 404, 404), body=lambda ids: {"notes": "Prefers mornings"},
        settings=(("OMNIDESK_CUSTOMER_DIRECTORY", "team"),)),
    Row("customer edit (assigned across teams)", "PATCH", "/api/v1/customers/{cust_c}/",
        expect(200, 200, 403, 200, 200), body=lambda ids: {"name": "Cy D."}),
    Row("customer edit (nobody holds it)", "PATCH", "/api/v1/customers/{cust_new}/",
        expect(200, 200, 200, 200, 200), body=lambda ids: {"name": "Dee"}),
    Row("identity add", "POST", "/api/v1/customers/{cust_a}/identities/",
        expect(201, 201, 201, 403, 403),
        body=lambda ids: {"kind": "email", "value": "ana@example.com"}),
    Row("identity remove", "DELETE", "/api/v1/customers/{cust_a}/identities/{identity_a}/",
        expect(204, 204, 204, 403, 403)),
    Row("customer merge across teams", "POST", "/api/v1/customers/{cust_a}/merge/",
        expect(200, 200, 403, 403, 403), body=lambda ids: {"other": ids["cust_b"]}),
    Row("customer merge of one nobody holds", "POST", "/api/v1/customers/{cust_new}/merge/",
        expect(200, 200, 200, 403, 403), body=lambda ids: {"other": ids["cust_a"]}),
    Row("customer timeline", "GET", "/api/v1/customers/{cust_b}/timeline/", AGENTS,
        lists="int", listed=by_persona({"int_b1", "int_b2", "int_b3"}, set(),
                                       {"int_b1", "int_b2", "int_b3"}, set())),
    # --- Conversations: the agent's teams' and those assigned to them; else 404 ---------
    Row("conversation list", "GET", "/api/v1/conversations/", AGENTS, lists="conv",
        listed=by_persona(ALL_CONVERSATIONS, {"conv_a"}, TEAM_B, {"conv_c"})),
    Row("conversation detail", "GET", "/api/v1/conversations/{conv_a}/",
        expect(200, 200, 200, 404, 404)),
    Row("conversation detail (assigned)", "GET", "/api/v1/conversations/{conv_c}/",
        expect(200, 200, 404, 200, 200)),
    Row("conversation change", "PATCH", "/api/v1/conversations/{conv_a}/",
        expect(200, 200, 200, 404, 404), body=lambda ids: {"tags": ["vip"]}),
    Row("conversation change (assigned)", "PATCH", "/api/v1/conversations/{conv_c}/",
        expect(200, 200, 404, 200, 200), body=lambda ids: {"status": "pending"}),
    Row("conversation timeline", "GET", "/api/v1/conversations/{conv_b}/interactions/",
        expect(200, 200, 404, 200, 404), lists="int",
        listed=by_persona({"int_b1", "int_b2"}, set(), {"int_b1", "int_b2"}, set())),
    Row("reply", "POST", "/api/v1/conversations/{conv_a}/replies/",
        expect(201, 201, 201, 404, 404), body=lambda ids: {"text": "It is on its way."}),
    Row("note", "POST", "/api/v1/conversations/{conv_c}/notes/",
        expect(201, 201, 404, 201, 201), body=lambda ids: {"text": "Called them back."}),
    Row("conversation merge", "POST", "/api/v1/conversations/{conv_b}/merge/",
        expect(200, 200, 404, 200, 404), body=lambda ids: {"other": ids["conv_b2"]}),
    Row("conversation split", "POST", "/api/v1/conversations/{conv_b}/split/",
        expect(201, 201, 404, 201, 404), body=lambda ids: {"interactions": [ids["int_b2"]]}),
    # --- Interactions -------------------------------------------------------------------
    Row("interaction list", "GET", "/api/v1/interactions/", AGENTS, lists="int",
        listed=by_persona(ALL_INTERACTIONS, {"int_a"}, {"int_b1", "int_b2", "int_b3", "int_c"},
                          {"int_c"})),
    Row("interaction detail", "GET", "/api/v1/interactions/{int_a}/",
        expect(200, 200, 200, 404, 404)),
    # --- Inboxes: every agent reads them; only admins change them -------------------------
    Row("inbox list", "GET", "/api/v1/inboxes/", AGENTS, lists="inbox",
        listed={p: {"inbox_a", "inbox_api", "inbox_b"} for p in EVERYONE}),
    Row("inbox detail", "GET", "/api/v1/inboxes/{inbox_a}/", AGENTS),
    Row("inbox create", "POST", "/api/v1/inboxes/", expect(201, 403, 403, 403, 403),
        body=lambda ids: {"kind": "chat", "name": "Website chat", "slug": "site-chat"}),
    Row("inbox change", "PATCH", "/api/v1/inboxes/{inbox_a}/",
        expect(200, 403, 403, 403, 403), body=lambda ids: {"name": "Support line 2"}),
    Row("inbox deactivate", "DELETE", "/api/v1/inboxes/{inbox_b}/",
        expect(204, 403, 403, 403, 403)),
    Row("inbox token rotation", "POST", "/api/v1/inboxes/{inbox_api}/rotate-token/",
        expect(200, 403, 403, 403, 403)),
    # --- Directory ----------------------------------------------------------------------
    Row("team list", "GET", "/api/v1/teams/", AGENTS, lists="team",
        listed={p: {"team_a", "team_b"} for p in EVERYONE}),
    Row("team detail", "GET", "/api/v1/teams/{team_a}/", AGENTS),
    Row("agent list", "GET", "/api/v1/agents/", AGENTS),
    Row("agent detail", "GET", "/api/v1/agents/{user_agent_b}/", AGENTS),
    # --- Routing configuration: leads and admins read, admins write ------------------------
    *[row for path, key, create, change in (
        ("routing-rules", "rule", {"name": "New rule"}, {"name": "Renamed", "position": 5}),
        ("sla-policies", "policy", {"name": "Chat", "channel": "chat",
                                    "first_response_seconds": 40},
         {"name": "Email", "first_response_seconds": 60}),
        ("business-hours", "hours", {"name": "Night", "timezone": "UTC",
                                     "weekly_hours": {"tue": [["20:00", "24:00"]]}},
         {"name": "Office", "timezone": "UTC", "weekly_hours": {"fri": [["08:00", "12:00"]]}}),
    ) for row in (
        Row(f"{path} list", "GET", f"/api/v1/{path}/", expect(200, 200, 403, 403, 403)),
        Row(f"{path} create", "POST", f"/api/v1/{path}/", expect(201, 403, 403, 403, 403),
            body=lambda ids, body=create: body),
        Row(f"{path} detail", "GET", f"/api/v1/{path}/{{{key}}}/",
            expect(200, 200, 403, 403, 403)),
        Row(f"{path} replace", "PUT", f"/api/v1/{path}/{{{key}}}/",
            expect(200, 403, 403, 403, 403), body=lambda ids, body=change: body),
        Row(f"{path} change", "PATCH", f"/api/v1/{path}/{{{key}}}/",
            expect(200, 403, 403, 403, 403), body=lambda ids, body=change: {"name": "Other"}),
        Row(f"{path} delete", "DELETE", f"/api/v1/{path}/{{{key}}}/",
            expect(204, 403, 403, 403, 403)),
    )],
    Row("routing dry run", "GET", "/api/v1/routing-rules/dry-run/{conv_a}/",
        expect(200, 200, 403, 403, 403)),
    Row("agent routing list", "GET", "/api/v1/agent-routing/", expect(200, 200, 403, 403, 403)),
    Row("agent routing detail", "GET", "/api/v1/agent-routing/{user_agent_b}/",
        expect(200, 200, 403, 403, 403)),
    Row("agent routing change", "PATCH", "/api/v1/agent-routing/{user_agent_b}/",
        expect(200, 403, 403, 403, 403), body=lambda ids: {"skills": ["billing"]}),
    Row("team routing list", "GET", "/api/v1/team-routing/", expect(200, 200, 403, 403, 403)),
    Row("team routing detail", "GET", "/api/v1/team-routing/{team_a}/",
        expect(200, 200, 403, 403, 403)),
    Row("team routing change", "PATCH", "/api/v1/team-routing/{team_a}/",
        expect(200, 403, 403, 403, 403), body=lambda ids: {"assignment_mode": "least_busy"}),
    # --- Canned responses and macros: yours, your teams' (leads: every team's), everyone's;
    # shared ones are changed by leads and admins ---------------------------------------
    Row("canned response list", "GET", "/api/v1/canned-responses/", AGENTS, lists="canned",
        listed=by_persona({"canned_b", "canned_all"}, {"canned_mine", "canned_all"},
                          {"canned_b", "canned_all"}, {"canned_all"})),
    Row("canned response create", "POST", "/api/v1/canned-responses/",
        expect(201, 201, 201, 201, 201),
        body=lambda ids: {"name": "Hi", "shortcut": "hi", "body": "Hi {{ customer.name }}"}),
    Row("canned response detail (personal)", "GET", "/api/v1/canned-responses/{canned_mine}/",
        expect(404, 404, 200, 404, 404)),
    Row("canned response change (team B's)", "PATCH", "/api/v1/canned-responses/{canned_b}/",
        expect(200, 200, 404, 403, 404), body=lambda ids: {"body": "Hello"}),
    Row("canned response delete (everyone's)", "DELETE",
        "/api/v1/canned-responses/{canned_all}/", expect(204, 204, 403, 403, 403)),
    Row("macro list", "GET", "/api/v1/macros/", AGENTS, lists="macro",
        listed=by_persona({"macro_all", "macro_a"}, {"macro_all", "macro_a"}, {"macro_all"},
                          {"macro_all"})),
    Row("macro create", "POST", "/api/v1/macros/", expect(201, 201, 201, 201, 201),
        body=lambda ids: {"name": "Close", "actions": [{"type": "status",
                                                         "status": "resolved"}]}),
    Row("macro detail (team A's)", "GET", "/api/v1/macros/{macro_a}/",
        expect(200, 200, 200, 404, 404)),
    Row("macro change (team A's)", "PATCH", "/api/v1/macros/{macro_a}/",
        expect(200, 200, 403, 404, 404), body=lambda ids: {"name": "Team A macro"}),
    Row("macro delete (everyone's)", "DELETE", "/api/v1/macros/{macro_all}/",
        expect(204, 204, 403, 403, 403)),
    Row("macro apply", "POST", "/api/v1/macros/{macro_all}/apply/",
        expect(200, 200, 200, 404, 404), body=lambda ids: {"conversation": ids["conv_a"]}),
    # --- Help center articles: anyone reads the published ones; admins see drafts and
    # write --------------------------------------------------------------------------------
    Row("article list", "GET", "/api/v1/articles/", expect(200, 200, 200, 200, 200, 200, 200),
        lists="art", listed={**by_persona({"art_pub"}, {"art_pub"}, {"art_pub"}, {"art_pub"}),
                             "admin": {"art_pub", "art_draft"}, "outsider": {"art_pub"},
                             "anonymous": {"art_pub"}}),
    Row("article create", "POST", "/api/v1/articles/", expect(201, 403, 403, 403, 403),
        body=lambda ids: {"slug": "new", "locale": "en", "category": "faq", "title": "New",
                          "body": "Hello", "status": "draft"}),
    Row("article detail (published)", "GET", "/api/v1/articles/{art_pub}/",
        expect(200, 200, 200, 200, 200, 200, 200)),
    Row("article detail (draft)", "GET", "/api/v1/articles/{art_draft}/",
        expect(200, 404, 404, 404, 404, 404, 404)),
    Row("article replace", "PUT", "/api/v1/articles/{art_pub}/",
        expect(200, 403, 403, 403, 403),
        body=lambda ids: {"slug": "public", "locale": "en", "category": "faq",
                          "title": "Public, renamed", "body": "x", "status": "published"}),
    Row("article change", "PATCH", "/api/v1/articles/{art_pub}/",
        expect(200, 403, 403, 403, 403), body=lambda ids: {"title": "Renamed"}),
    Row("article delete", "DELETE", "/api/v1/articles/{art_draft}/",
        expect(204, 403, 403, 403, 403)),
    # --- Reports: leads (their teams; this lead leads none, so empty) and admins --------
    *[Row(f"report {name}", "GET", f"/api/v1/reports/{name}/",
          expect(200, 200, 403, 403, 403)) for name in ("summary", "daily", "heatmap",
                                                        "breakdown")],
    # --- Pages --------------------------------------------------------------------------
    Row("home", "GET", "/", page(200, 200, 200, 200, 200, 200), via="browser"),
    Row("inbox, next page", "GET", "/inbox/rows/", page(200, 200, 200, 200, 200, 403),
        via="browser"),
    Row("inbox, one row (team A's)", "GET", "/inbox/rows/{conv_a}/",
        page(200, 200, 200, 204, 204, 403), via="browser"),
    Row("search", "GET", "/search/?q=parcel", page(200, 200, 200, 200, 200, 403),
        via="browser"),
    Row("notifications", "GET", "/notifications/", page(200, 200, 200, 200, 200, 403),
        via="browser"),
    Row("notifications read", "POST", "/notifications/read/",
        page(200, 200, 200, 200, 200, 403), via="browser"),
    Row("conversation page", "GET", "/conversations/{conv_a}/",
        page(200, 200, 200, 404, 404, 403), via="browser"),
    Row("conversation page (assigned)", "GET", "/conversations/{conv_c}/",
        page(200, 200, 404, 200, 200, 403), via="browser"),
    Row("conversation timeline page", "GET", "/conversations/{conv_a}/timeline/",
        page(200, 200, 200, 404, 404, 403), via="browser"),
    Row("conversation timeline item", "GET", "/conversations/{conv_a}/items/{int_a}/",
        page(200, 200, 200, 404, 404, 403), via="browser"),
    Row("conversation header", "GET", "/conversations/{conv_a}/header/",
        page(200, 200, 200, 404, 404, 403), via="browser"),
    Row("composer: note", "POST", "/conversations/{conv_a}/reply/",
        page(200, 200, 200, 404, 404, 403), via="browser",
        body=lambda ids: {"mode": "note", "body": "Checked the depot"}),
    Row("composer: reply", "POST", "/conversations/{conv_c}/reply/",
        page(200, 200, 404, 200, 200, 403), via="browser",
        body=lambda ids: {"mode": "reply", "body": "We cancelled it.", "channel": "email"}),
    Row("conversation change page", "POST", "/conversations/{conv_c}/update/",
        page(200, 200, 404, 200, 200, 403), via="browser", body=lambda ids: {"add_tag": "vip"}),
    Row("conversation merge page", "POST", "/conversations/{conv_b}/merge/",
        page(200, 200, 404, 200, 404, 403), via="browser",
        body=lambda ids: {"other": ids["conv_b2"]}),
    Row("conversation split page", "POST", "/conversations/{conv_b}/split/",
        page(200, 200, 404, 200, 404, 403), via="browser",
        body=lambda ids: {"interactions": str(ids["int_b2"])}),
    Row("conversation read", "POST", "/conversations/{conv_a}/read/",
        page(204, 204, 204, 404, 404, 403), via="browser"),
    Row("conversation macro", "POST", "/conversations/{conv_a}/macros/{macro_all}/",
        page(200, 200, 200, 404, 404, 403), via="browser"),
    Row("retry (not a failed reply)", "POST", "/interactions/{int_b1}/retry/",
        page(400, 400, 404, 400, 404, 403), via="browser"),
    Row("customer panel", "GET", "/customers/{cust_a}/panel/",
        page(200, 200, 200, 200, 200, 403), via="browser"),
    Row("customer edit page", "POST", "/customers/{cust_a}/edit/",
        page(200, 200, 200, 403, 403, 403), via="browser", body=lambda ids: {"notes": "VIP"}),
    Row("customer identity page", "POST", "/customers/{cust_a}/identities/",
        page(200, 200, 200, 403, 403, 403), via="browser",
        body=lambda ids: {"kind": "email", "value": "ana@example.com"}),
    Row("customer merge page", "POST", "/customers/{cust_new}/merge/",
        page(200, 200, 200, 403, 403, 403), via="browser",
        body=lambda ids: {"other": ids["cust_a"]}),
    Row("admin", "GET", "/admin/", page(200, 302, 302, 302, 302, 302), via="browser"),
    Row("reports page", "GET", "/reports/", page(200, 200, 403, 403, 403, 403), via="browser"),
    Row("report breakdown", "GET", "/reports/by/agent/", page(200, 200, 403, 403, 403, 403),
        via="browser"),
    Row("report CSV", "GET", "/reports/export/channel.csv", page(200, 200, 403, 403, 403, 403),
        via="browser"),
    Row("queues page", "GET", "/queues/", page(200, 200, 403, 403, 403, 403), via="browser"),
    Row("queues board", "GET", "/queues/board/?wallboard=1",
        page(200, 200, 403, 403, 403, 403), via="browser"),
    # Settings: admins only.
    *[Row(f"settings: {path}", "GET", f"/settings/{path}", page(200, 403, 403, 403, 403, 403),
          via="browser")
      for path in ("inboxes/", "inboxes/new/email/", "teams/", "teams/new/", "agents/",
                   "canned/", "canned/new/", "macros/", "macros/new/", "routing/",
                   "routing/new/", "sla/", "sla/new/", "hours/", "hours/new/")],
    Row("settings: team A", "GET", "/settings/teams/{team_a}/",
        page(200, 403, 403, 403, 403, 403), via="browser"),

    Row("API docs", "GET", "/api/docs/", page(200, 200, 200, 200, 200, 403), via="browser"),
    Row("API schema", "GET", "/api/schema/", expect(200, 200, 200, 200, 200), via="browser"),
    Row("API schema by token", "GET", "/api/schema/", expect(200, 200, 200, 200, 200)),
    Row("softphone", "GET", "/voice/softphone/", page(200, 200, 200, 200, 200, 403),
        via="browser"),
    # --- Downloads: behind the conversation's visibility ----------------------------------
    Row("attachment", "GET", "/attachments/{att_a}/", page(200, 200, 200, 404, 404, 404),
        via="browser", content=b"\x89PNG-bytes"),
    Row("raw email", "GET", "/interactions/{int_b1}/raw/", page(200, 200, 404, 200, 404, 404),
        via="browser",
        content=b"From: bo@example.com\r\nSubject: Invoice 77\r\n\r\nInvoice 77 is wrong"),
]


def listed_keys(world: World, prefix: str, response: Any) -> set[str]:
    body = response.json()
    items = body["results"] if isinstance(body, dict) else body
    return {world.key_of(prefix, item["id"]) for item in items}


def ask(world: World, row: Row, persona: str) -> Any:
    client = world.api(persona) if row.via == "api" else world.browser(persona)
    path = row.path.format(**world.ids)
    body = row.body(world.ids) if row.body else None
    method = getattr(client, row.method.lower())
    if body is None:
        return method(path)
    return method(path, body, format="json") if row.via == "api" else method(path, body)


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_persona_matrix(row: Row, world: World):
    with override_settings(**dict(row.settings)):
        for persona in PERSONAS:
            savepoint = transaction.savepoint()
            try:
                before = snapshot()
                response = ask(world, row, persona)
                status = response.status_code
                shown = getattr(response, "content", b"")[:300]
                assert status == row.expect[persona], f"{row.name} as {persona}: {shown!r}"
                if row.method != "GET":
                    changed = snapshot() != before
                    assert changed == (status < 300), f"{row.name} as {persona}: changed={changed}"
                if status == 302:
                    assert "/login/" in response["Location"], (row.name, persona)
                if row.lists and status == 200:
                    assert listed_keys(world, row.lists, response) == row.listed[persona], (
                        row.name, persona)
                if row.content is not None and status == 200:
                    assert b"".join(response.streaming_content) == row.content
            finally:
                transaction.savepoint_rollback(savepoint)


def canonical(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_api_route_has_a_row():
    """A new API endpoint (or method) without a row here fails this test."""
    from api.urls import router

    covered = {(row.method, canonical(row.path)) for row in ROWS if row.via == "api"}
    routes = set()
    for pattern in router.urls:
        regex = pattern.pattern.regex.pattern  # e.g. ^customers/(?P<pk>[0-9]+)/merge/$
        path = "/api/v1/" + re.sub(r"\(\?P<[^>]+>[^)]*\)", "{}", regex).strip("^$")
        routes |= {(m.upper(), path) for m in pattern.callback.actions if m != "head"}
    assert sorted(routes - covered) == []


# --- The agent socket: which events reach whom ------------------------------------------


def conversation_of(event: dict[str, Any]) -> int:
    data = event["data"]
    return int(data["id"] if event["event"].startswith("conversation.") else
               data["conversation_id"])


@pytest.mark.django_db(transaction=True)
def test_socket_events_reach_exactly_who_may_see_them(world: World, twilio_inbox):
    cookies = {p: session_cookie_for(u) if u is not None else None
               for p, u in world.users.items()}
    ids = world.ids
    visible = {
        "admin": {ids["conv_a"], ids["conv_b"], ids["conv_c"]},
        "lead": {ids["conv_a"], ids["conv_b"], ids["conv_c"]},
        "agent_a": {ids["conv_a"]},
        "agent_b": {ids["conv_b"], ids["conv_c"]},
        "agent_none": {ids["conv_c"]},
    }
    staff_user = world.users["admin"]
    inbox_b = Inbox.objects.get(pk=ids["inbox_b"])

    def make_events() -> None:
        do_record_inbound(inbound(twilio_inbox, "sms", "phone", "+14155550100", "Any news?",
                                  provider_id="SM-a2"))
        do_record_inbound(inbound(inbox_b, "email", "email", "bo@example.com", "Hello?",
                                  provider_id="<b9@mail.example.com>",
                                  conversation_hint=ids["conv_b"]))
        do_add_note(conversation=Conversation.objects.get(pk=ids["conv_c"]),
                    author=staff_user, text="Internal: plan cancelled")

    async def scenario() -> dict[str, Any]:
        sockets = {}
        refused = {}
        for persona, cookie in cookies.items():
            sock = await connect_agent_socket(cookie)
            connected, code = await sock.connect()
            if not connected:
                refused[persona] = code
                continue
            hello = await sock.receive_json_from()
            assert hello["type"] == "hello"
            sockets[persona] = sock
        await sync_to_async(make_events)()
        seen: dict[str, set[int]] = {}
        for persona, sock in sockets.items():
            got: set[int] = set()
            while not await sock.receive_nothing(timeout=1.5):
                frame = await sock.receive_json_from()
                # Presence changes (the personas' sockets connecting) are about no conversation.
                if frame.get("type") == "event" and frame["event"] != "agent.presence":
                    got.add(conversation_of(frame))
            seen[persona] = got
            await sock.disconnect()
        return {"refused": refused, "seen": seen}

    result = asyncio.run(scenario())
    assert result["refused"] == {"outsider": 4403, "anonymous": 4403}
    assert result["seen"] == visible
