"""One webhook deliverer per deployment: two deliverers on the same database never send the same event
twice, the second takes over when the first stops, and ``asylon serve`` starts one and stops it cleanly
on SIGTERM. A real receiver on loopback records who sent what."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from asylon.db.engine import make_engine, transaction
from asylon.schemas.agreements import WebhookCreate
from asylon.services import webhooks
from asylon.services.deliverer import LEASE_NAME, Deliverer
from asylon.services.leases import lease_for
from asylon.services.webhooks import Policy, WebhookWorker
from tests.support.server import free_port
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db


class Receiver:
    """Accepts every POST; keeps (event id, which worker sent it) in arrival order."""

    def __init__(self) -> None:
        self.got: list[tuple[int, str]] = []
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    receiver.got.append((int(self.headers["X-Asylon-Event-Id"]),
                                         self.headers.get("X-Test-Worker", "")))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ids(self) -> list[int]:
        return [event_id for event_id, _ in self.got]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def deliverer(database_url: str, name: str) -> Deliverer:
    """A deliverer with its own engine (its own connections and lease), as a separate process would have."""
    engine = make_engine(database_url)
    worker = WebhookWorker(engine, policy=Policy(base_delay=0.01, max_delay=0.1),
                           client=httpx.Client(timeout=5, headers={"X-Test-Worker": name}))
    return Deliverer(engine, worker=worker, interval=0.02, retry=0.05)


def subscribe(engine: Engine, orgs: TwoOrgs, url: str) -> None:
    with transaction(engine) as session:
        webhooks.subscribe(session, actor=orgs.a_admin.actor, data=WebhookCreate.model_validate({"url": url}))


def test_two_deliverers_never_send_an_event_twice_and_the_second_takes_over(
        engine: Engine, database_url: str, orgs: TwoOrgs, receiver: Receiver) -> None:
    subscribe(engine, orgs, receiver.url)
    first = deliverer(database_url, "first").start()
    wait_for(lambda: first.holding)
    second = deliverer(database_url, "second").start()
    try:
        time.sleep(0.3)  # the second has tried the lease several times by now, in vain
        assert not second.holding
        for n in range(8):
            register(engine, orgs.a_caseworker.actor, f"L-{n}")
        wait_for(lambda: len(receiver.got) >= 8)
        assert {who for _, who in receiver.got} == {"first"}

        first.stop()  # a clean stop finishes its pass and releases the lease
        assert not first.holding
        for n in range(8, 14):
            register(engine, orgs.a_caseworker.actor, f"L-{n}")
        wait_for(lambda: len(receiver.got) >= 14)
        time.sleep(0.3)  # anything sent twice would arrive by now
    finally:
        first.stop()
        second.stop()
    ids = receiver.ids()
    assert len(ids) == 14 and ids == sorted(set(ids))  # every event once, in order
    assert [who for _, who in receiver.got[8:]] == ["second"] * 6
    assert not second.holding  # stopping released the lease


def test_only_the_holder_of_the_lease_may_deliver(engine: Engine, database_url: str) -> None:
    one, other = lease_for(make_engine(database_url), LEASE_NAME), lease_for(make_engine(database_url), LEASE_NAME)
    assert one.acquire()
    assert one.acquire()  # taking it again is a no-op for its holder
    assert not other.acquire()
    assert one.holds() and not other.holds()
    one.release()
    assert other.acquire()
    assert not one.acquire()
    other.release()


@pytest.mark.slow
def test_serve_starts_the_deliverer_and_stops_it_on_sigterm(engine: Engine, database_url: str, orgs: TwoOrgs,
                                                             receiver: Receiver, tmp_path: Path) -> None:
    subscribe(engine, orgs, receiver.url)
    port = free_port()
    env = os.environ | {"ASYLON_DATABASE_URL": database_url, "ASYLON_DATA_DIR": str(tmp_path),
                        "ASYLON_ENVIRONMENT": "test"}
    server = subprocess.Popen([sys.executable, "-m", "asylon.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: _up(port) or server.poll() is not None)
        assert server.poll() is None, server.communicate()[0]
        register(engine, orgs.a_caseworker.actor, "S-1")
        wait_for(lambda: len(receiver.got) == 1)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, output
    assert "webhooks: deliverer stopped" in output
    # The lease was released: another deliverer can take it at once.
    lease = lease_for(make_engine(database_url), LEASE_NAME)
    assert lease.acquire()
    lease.release()


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_removing_a_webhook_cancels_what_was_waiting_and_it_cannot_be_replayed(engine: Engine, orgs: TwoOrgs) -> None:
    from asylon.db.models import WebhookDelivery
    from asylon.errors import RuleRefused
    from asylon.schemas.agreements import Replay

    calls: list[httpx.Request] = []
    worker = WebhookWorker(engine, policy=Policy(base_delay=3600, max_attempts=3),
                           client=httpx.Client(transport=httpx.MockTransport(
                               lambda request: calls.append(request) or httpx.Response(500))))
    with transaction(engine) as session:
        hook = webhooks.subscribe(session, actor=orgs.a_admin.actor,
                                  data=WebhookCreate.model_validate({"url": "http://receiver.example/hook"}))
    for number in ("HOOK-1", "HOOK-2"):
        register(engine, orgs.a_caseworker.actor, number)
    worker.run_once()  # the first is tried once and waits an hour for its retry; the second waits behind it
    assert len(calls) == 1
    with transaction(engine) as session:
        webhooks.unsubscribe(session, actor=orgs.a_admin.actor, subscription_id=hook.id)
    with transaction(engine, write=False) as session:
        rows = session.query(WebhookDelivery).filter_by(subscription_id=hook.id).all()
        assert len(rows) == 2 and {r.status for r in rows} == {"cancelled"}
        assert all("removed" in r.last_error for r in rows)
    worker.run_once()
    assert len(calls) == 1
    with transaction(engine) as session, pytest.raises(RuleRefused) as refused:
        webhooks.replay(session, actor=orgs.a_admin.actor, data=Replay(subscription_id=hook.id))
    assert refused.value.rule == "webhook.removed"
