"""PostgreSQL restarted under load: the web process answers a quick 503 with Retry-After
while the database is away (not a hang, not a 500), and recovers by itself when it is
back. Nothing a client was told is recorded is lost, and a retry of what got a 503 is
recorded once.

The outage is staged with a TCP proxy between the server and the machine's PostgreSQL
(tests/ops/proxy.py): cutting it resets every connection and refuses new ones, as a
restarting server does, without touching the shared PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conversations.models import Interaction
from tests.ops.conftest import PG_HOST, PG_PORT, Answer, PgServer, push
from tests.ops.proxy import proxy_to
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

CLIENTS = 4
OUTAGE_SECONDS = 12  # longer than a request waits for a connection (5 s by default)
MOST_WEBHOOKS = 3000  # a bound on the senders, who stop when told


def test_postgres_outage_answers_503_then_recovers_without_restart(serve_on_postgres,
                                                                   ops_inbox):
    with proxy_to(PG_HOST, PG_PORT) as proxy:
        server = serve_on_postgres(port=proxy.port)
        senders = Senders(server, ops_inbox.token)
        senders.start()
        wait_for(lambda: senders.count(201) >= 20, timeout=60)

        proxy.cut()
        cut_at = time.monotonic()
        with ThreadPoolExecutor(max_workers=2) as pool:
            health = pool.submit(requests.get, f"{server.url}/healthz", timeout=30)
            sms = pool.submit(requests.post, f"{server.url}/webhooks/twilio/messaging/",
                              data={"To": "+15005550006", "From": "+14155550100",
                                    "Body": "Hello?", "MessageSid": "SM-outage"}, timeout=30)
            outage_health, outage_sms = health.result(), sms.result()
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
        proxy.restore()
        restored_at = time.monotonic()

        wait_for(lambda: _healthy(server), timeout=60, interval=0.2)
        recovered_after = time.monotonic() - restored_at
        recovered_at = time.monotonic()
        wait_for(lambda: senders.count(201, since=recovered_at) >= 20, timeout=60)
        answers = senders.stop()
        # A provider retries what got a 503: each is recorded now, or was already.
        with requests.Session() as session:
            session.trust_env = False
            retries = Counter(push(session, server, ops_inbox.token, a.provider_id).status
                              for a in answers if a.status == 503)

    assert server.server.process.poll() is None, "the server exited"
    assert outage_health.status_code == 503
    assert outage_health.json() == {"ok": False, "database": "unavailable"}
    assert outage_health.headers["Retry-After"] == "5"
    # A form-encoded webhook (Twilio's) looks its inbox up first: a plain-text 503.
    assert outage_sms.status_code == 503
    assert outage_sms.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert outage_sms.headers["Retry-After"] == "5"
    assert outage_sms.text == "The database is unavailable; retry later.\n"

    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {201, 503}, (statuses, [a for a in answers
                                                    if a.status not in (201, 503)][:3])
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "no request met the outage"
    within_outage = [a for a in answers
                     if a.started >= cut_at + 0.5 and a.started + a.seconds < restored_at]
    assert within_outage, "no request was sent and answered within the outage"
    assert {a.status for a in within_outage} == {503}
    for answer in unavailable:
        assert answer.retry_after == "5"
        assert answer.body == '{"detail": "The database is unavailable; retry later."}'

    assert set(retries) <= {200, 201}, retries
    recorded = Counter(Interaction.objects.filter(inbox=ops_inbox)
                       .values_list("provider_id", flat=True))
    assert recorded == dict.fromkeys((a.provider_id for a in answers), 1)

    latencies = sorted(a.seconds for a in unavailable)
    print(f"\n{len(answers)} webhooks: {dict(statuses)}; 503 latency "
          f"min {latencies[0]:.2f}s median {latencies[len(latencies) // 2]:.2f}s "
          f"max {latencies[-1]:.2f}s; healthy {recovered_after:.1f}s after the restore")


def _healthy(server: PgServer) -> bool:
    try:
        return requests.get(f"{server.url}/healthz", timeout=30).status_code == 200
    except requests.RequestException:
        return False


class Senders:
    """CLIENTS threads sending webhooks one after another until stopped."""

    def __init__(self, server: PgServer, token: str) -> None:
        self.server, self.token = server, token
        self.answers: list[TimedAnswer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._next = iter(range(MOST_WEBHOOKS))
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(CLIENTS)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> list[TimedAnswer]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return list(self.answers)

    def count(self, status: int, since: float = 0.0) -> int:
        return sum(1 for a in self.since(since) if a.status == status)

    def since(self, started: float) -> list[TimedAnswer]:
        with self._lock:
            return [a for a in self.answers if a.started >= started]

    def _run(self) -> None:
        with requests.Session() as session:
            session.trust_env = False
            while not self._stop.is_set():
                with self._lock:
                    number = next(self._next, None)
                if number is None:
                    return
                started = time.monotonic()
                answer = push(session, self.server, self.token, f"outage-{number}")
                with self._lock:
                    self.answers.append(TimedAnswer(**vars(answer), started=started))


class TimedAnswer(Answer):
    def __init__(self, *, started: float, **fields: object) -> None:
        super().__init__(**fields)  # type: ignore[arg-type]
        self.started = started
