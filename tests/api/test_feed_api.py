"""The event feed over real HTTP on loopback: server-sent events filtered by agreements and resumable
across a server restart; webhooks to a real receiver that fails intermittently, across a worker restart.
No event may be lost or arrive twice."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from asylon.api.app import create_app
from asylon.services.webhooks import Policy, WebhookWorker, verify
from tests.support.server import serve
from tests.support.world import TwoOrgs, case_payload

pytestmark = pytest.mark.db

API = "/api/v1"
PURPOSE = "assistance-coordination"


def share(client: httpx.Client, orgs: TwoOrgs, fields: list[str]) -> int:
    today = dt.date.today()
    created = client.post(f"{API}/agreements", headers=orgs.a_admin.headers, json={
        "title": "Assistance A-B", "purpose": PURPOSE, "parties": ["agency-a", "state-b"],
        "legal_basis": "vital-interests", "fields": fields, "valid_from": str(today),
        "valid_until": str(today + dt.timedelta(days=30))})
    assert created.status_code == 201, created.text
    for member in (orgs.a_admin, orgs.b_admin):
        assert client.post(f"{API}/agreements/actions", headers=member.headers,
                           json={"agreement_id": created.json()["id"], "action": "approve"}).status_code == 200
    return int(created.json()["id"])


class SSEReader:
    """Reads a server-sent-event stream in a thread; collects (id, kind, data)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._response = self._client.send(
            self._client.build_request("GET", url, headers=headers | {"Accept": "text/event-stream"}), stream=True)
        assert self._response.status_code == 200, self._response.read()
        assert self._response.headers["content-type"].startswith("text/event-stream")
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for line in self._response.iter_lines():
                if line == "":
                    if "id" in fields:
                        self.events.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
                    fields = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    fields[key] = value
        except (httpx.HTTPError, RuntimeError):
            pass

    def wait_for(self, count: int, timeout: float = 20.0) -> list[tuple[int, str, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.events)

    def close(self) -> None:
        self._response.close()
        self._client.close()


@pytest.mark.slow
def test_sse_shows_shared_cases_redacted_and_resumes_across_a_restart(settings, engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    b_headers = orgs.b_admin.headers | {"X-Asylon-Purpose": PURPOSE}
    with serve(create_app(settings, engine=engine)) as url, httpx.Client(base_url=url) as client:
        share(client, orgs, ["case.country_of_asylum", "person.needs"])
        a_stream = SSEReader(f"{url}{API}/feed/events", orgs.a_admin.headers)
        b_stream = SSEReader(f"{url}{API}/feed/events", b_headers)
        nosy = SSEReader(f"{url}{API}/feed/events", orgs.b_admin.headers)  # no purpose declared
        for i in range(5):
            assert client.post(f"{API}/cases", json=case_payload(f"A-{i}"), headers=orgs.a_caseworker.headers
                               ).status_code == 201
        client.post(f"{API}/cases", json=case_payload("B-OWN"), headers=orgs.b_caseworker.headers)
        got_a = a_stream.wait_for(5)
        got_b = b_stream.wait_for(6)
        time.sleep(0.5)  # give the stream without purpose every chance to (wrongly) send something
        assert [e[2]["case"]["case_number"] for e in got_a] == [f"A-{i}" for i in range(5)]
        assert got_a[0][2]["data"]["case"]["persons"][0]["given_name"] == "Rania"  # own: the change itself
        shared = [e for e in got_b if e[2]["organisation"] == "agency-a"]
        assert len(shared) == 5 and all(e[2]["data"] is None for e in shared)
        for _, kind, event in shared:
            assert kind == "case.registered"
            assert event["case"]["case_number"] is None and event["case"]["country_of_asylum"] == "JOR"
            assert all(p["given_name"] is None and p["family_name"] is None for p in event["case"]["persons"])
        assert [e[2]["organisation"] for e in nosy.wait_for(1, timeout=0.5)] == ["state-b"]
        last = got_b[2][0]  # the subscriber goes away after its third event ...
        for stream in (a_stream, b_stream, nosy):
            stream.close()

    # ... the server restarts while more happens ...
    with transaction_client(settings, engine) as client:
        for i in range(5, 8):
            assert client.post(f"{API}/cases", json=case_payload(f"A-{i}"), headers=orgs.a_caseworker.headers
                               ).status_code == 201
    with serve(create_app(settings, engine=engine)) as url:
        # ... and the subscriber resumes from the last id it saw: every later event once, in order.
        resumed = SSEReader(f"{url}{API}/feed/events", b_headers | {"Last-Event-ID": str(last)})
        got = resumed.wait_for(6)
        time.sleep(0.3)
        resumed.close()
    ids = [e[0] for e in got]
    assert ids == sorted(set(ids))  # in order, none twice
    assert ids[:3] == [e[0] for e in got_b[3:]]  # the three it missed before the restart, first ...
    assert len(ids) == 6 and len(resumed.events) == 6  # ... then the three made while the server was down


@contextmanager
def transaction_client(settings: Any, engine: Any) -> Iterator[httpx.Client]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, engine=engine)) as client:
        yield client  # type: ignore[misc]


class FlakyReceiver:
    """A webhook receiver on loopback that refuses every third request (503) and drops every fifth
    connection without answering; it keeps what it accepted with a 2xx, in order."""

    def __init__(self, secret_box: dict[str, str]) -> None:
        self.accepted: list[int] = []
        self.requests = 0
        self.bad_signatures = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    receiver.requests += 1
                    n = receiver.requests
                if n % 5 == 0:
                    self.close_connection = True
                    self.connection.shutdown(2)  # gone without an answer
                    return
                if n % 3 == 0:
                    self.send_response(503)
                    self.end_headers()
                    return
                if not verify(secret_box["secret"], self.headers["X-Asylon-Timestamp"], body,
                              self.headers["X-Asylon-Signature"]):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                with lock:
                    receiver.accepted.append(int(self.headers["X-Asylon-Event-Id"]))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.slow
def test_webhooks_neither_lose_nor_repeat_across_restarts_and_a_flaky_receiver(settings, engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    box: dict[str, str] = {}
    receiver = FlakyReceiver(box)
    policy = Policy(base_delay=0.02, max_delay=0.2, max_attempts=50, timeout=5)
    try:
        with serve(create_app(settings, engine=engine)) as url, httpx.Client(base_url=url) as client:
            share(client, orgs, ["case.legal_status"])
            hook = client.post(f"{API}/feed/webhooks", headers=orgs.b_admin.headers,
                               json={"url": receiver.url, "purpose": PURPOSE})
            assert hook.status_code == 201
            box["secret"] = hook.json()["secret"]
            worker = WebhookWorker(engine, policy=policy).start(interval=0.05)
            for i in range(12):
                client.post(f"{API}/cases", json=case_payload(f"W-{i}"), headers=orgs.a_caseworker.headers)
            _wait(lambda: len(receiver.accepted) >= 5)
            worker.stop()  # the delivery worker stops mid-stream ...
        for i in range(12, 20):  # ... the server restarts, and events keep coming while nothing delivers
            with transaction_client(settings, engine) as client:
                client.post(f"{API}/cases", json=case_payload(f"W-{i}"), headers=orgs.a_caseworker.headers)
        with serve(create_app(settings, engine=engine)):
            worker = WebhookWorker(engine, policy=policy).start(interval=0.05)
            _wait(lambda: len(receiver.accepted) >= 20)
            time.sleep(0.5)
            worker.stop()
        with transaction_client(settings, engine) as client:
            events = client.get(f"{API}/feed/events", params={"limit": 1000}, headers=orgs.b_admin.headers
                                | {"X-Asylon-Purpose": PURPOSE}).json()["events"]
            dead = client.get(f"{API}/feed/deliveries", headers=orgs.b_admin.headers).json()
    finally:
        receiver.close()
    expected = [e["id"] for e in events if e["organisation"] == "agency-a"]
    assert len(expected) == 20
    assert receiver.accepted == expected  # each once, in order
    assert receiver.requests > len(expected)  # failures really happened and were retried
    assert receiver.bad_signatures == 0 and dead == []


def test_dead_letters_and_replay(api, engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    fail = {"on": True}

    def receiver(request: httpx.Request) -> httpx.Response:
        calls.append(int(request.headers["X-Asylon-Event-Id"]))
        return httpx.Response(500 if fail["on"] else 200)

    worker = WebhookWorker(engine, policy=Policy(base_delay=0, max_attempts=3),
                           client=httpx.Client(transport=httpx.MockTransport(receiver)))
    hook = api.post(f"{API}/feed/webhooks", headers=orgs.a_admin.headers, json={"url": "http://a.example/h"})
    api.post(f"{API}/cases", json=case_payload("D-1"), headers=orgs.a_caseworker.headers)
    for _ in range(5):
        worker.run_once()
    assert len(calls) == 3  # three attempts, then the dead-letter list
    dead = api.get(f"{API}/feed/deliveries", headers=orgs.a_admin.headers).json()
    assert [(d["status"], d["attempts"]) for d in dead] == [("dead", 3)] and "HTTP 500" in dead[0]["last_error"]
    fail["on"] = False
    replayed = api.post(f"{API}/feed/replays", headers=orgs.a_admin.headers,
                        json={"subscription_id": hook.json()["id"]})
    assert replayed.json() == {"queued": 1}
    worker.run_once()
    assert len(calls) == 4
    assert api.get(f"{API}/feed/deliveries", headers=orgs.a_admin.headers).json() == []
    delivered = api.get(f"{API}/feed/deliveries", params={"status": "delivered"}, headers=orgs.a_admin.headers)
    assert len(delivered.json()) == 1
    # Another organisation can neither see nor replay them.
    assert api.get(f"{API}/feed/deliveries", params={"status": "all"}, headers=orgs.b_admin.headers).json() == []
    assert api.post(f"{API}/feed/replays", headers=orgs.b_admin.headers,
                    json={"subscription_id": hook.json()["id"]}).status_code == 404


def _wait(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.slow
def test_sse_after_suspension_shows_nothing_even_to_a_new_subscriber(settings, engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    b_headers = orgs.b_admin.headers | {"X-Asylon-Purpose": PURPOSE}
    with serve(create_app(settings, engine=engine)) as url, httpx.Client(base_url=url) as client:
        agreement_id = share(client, orgs, ["case.legal_status"])
        early = SSEReader(f"{url}{API}/feed/events", b_headers)
        for i in range(3):
            client.post(f"{API}/cases", json=case_payload(f"S-{i}"), headers=orgs.a_caseworker.headers)
        assert len(early.wait_for(3)) == 3  # rendered for B while the agreement held
        assert client.post(f"{API}/agreements/actions", headers=orgs.a_admin.headers,
                           json={"agreement_id": agreement_id, "action": "suspend"}).status_code == 200
        late = SSEReader(f"{url}{API}/feed/events", b_headers | {"Last-Event-ID": "0"})
        client.post(f"{API}/cases", json=case_payload("S-3"), headers=orgs.a_caseworker.headers)
        client.post(f"{API}/cases", json=case_payload("B-1"), headers=orgs.b_caseworker.headers)
        assert [e[2]["organisation"] for e in late.wait_for(1)] == ["state-b"]  # its own case only
        time.sleep(0.5)
        assert [e[2]["organisation"] for e in early.events] == ["agency-a"] * 3 + ["state-b"]
        assert [e[2]["organisation"] for e in late.events] == ["state-b"]
        early.close()
        late.close()
