"""API latency, measured in-process with Django's test Client (no network, no server):
the time Django, DRF and PostgreSQL take for one request."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from conversations.models import Conversation

WARM_UP = 10


@dataclass(frozen=True)
class Latency:
    endpoint: str
    role: str
    requests: int
    p50_ms: float
    p99_ms: float
    note: str = ""


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(client: Client, paths: Callable[[int], str], requests: int) -> tuple[list[float], str]:
    timings = []
    note = ""
    for n in range(WARM_UP + requests):
        path = paths(n)
        started = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT="application/json")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return [], f"HTTP {response.status_code} for {path}"
        if n >= WARM_UP:
            timings.append(elapsed * 1000)
        if n == WARM_UP:
            note = _describe(response.json())
    return timings, note


def _describe(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return f"{len(body['results'])} items per page"
    if isinstance(body, list):
        return f"{len(body)} items"
    return ""


def _percentiles(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=100)[98]


def run(setup: dict[str, Any], requests: int, max_customer_id: int) -> list[Latency]:
    rng = random.Random(7)
    team = setup["teams"][0]
    all_customers = list(range(1, max_customer_id + 1))
    team_rows = list(
        Conversation.objects.filter(team=team, customer_id__lte=max_customer_id)
        .values_list("customer_id", "id")[:50_000]
    )
    all_conversations = list(
        Conversation.objects.filter(customer_id__lte=max_customer_id)
        .values_list("id", flat=True)[:200_000]
    )
    results = []
    for role, user, customers, conversations in (
        ("admin", setup["admin"], all_customers, all_conversations),
        (f"agent ({team.name})", setup["agent"], [c for c, _ in team_rows],
         [i for _, i in team_rows]),
    ):
        client = _client(user)
        picks = [rng.choice(customers) for _ in range(WARM_UP + requests)]
        threads = [rng.choice(conversations) for _ in range(WARM_UP + requests)]
        endpoints = [
            ("GET /api/v1/conversations/", lambda n: "/api/v1/conversations/"),
            ("GET /api/v1/conversations/?status=open",
             lambda n: "/api/v1/conversations/?status=open"),
            ("GET /api/v1/conversations/?used_channel=sms",
             lambda n: "/api/v1/conversations/?used_channel=sms"),
            ("GET /api/v1/conversations/?waiting_channel=sms",
             lambda n: "/api/v1/conversations/?waiting_channel=sms"),
            ("GET /api/v1/conversations/{id}/interactions/",
             lambda n, threads=threads: f"/api/v1/conversations/{threads[n]}/interactions/"),
            ("GET /api/v1/customers/{id}/timeline/",
             lambda n, picks=picks: f"/api/v1/customers/{picks[n]}/timeline/"),
        ]
        for label, paths in endpoints:
            timings, note = measure(client, paths, requests)
            if timings:
                p50, p99 = _percentiles(timings)
                results.append(Latency(label, role, len(timings), p50, p99, note))
            else:
                results.append(Latency(label, role, 0, float("nan"), float("nan"), note))
    return results
