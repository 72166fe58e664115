"""Event feed: commit-to-delivery latency and fan-out to ~100 subscribers over loopback, in one run.

    python -m benchmarks.feed_latency [--subscribers 100] [--events 100] [--rate 5] [--postgres URL]

The platform runs in its own process (uvicorn, one worker). Half the subscribers belong to the
organisation that owns the cases (everything, unredacted); half to a partner that sees them under an
assistance-coordination agreement (redacted to the agreed fields, each delivery written to the access
log). A writer registers cases at ``--rate`` per second straight into the database; each subscriber
notes when each case's event arrives. Latency = arrival − commit, on one monotonic clock.

Peer: the same subscribers polling the JSON form of the feed (``GET /feed/events?after=``) once a
second — the simplest thing a partner could do instead of holding a stream open.

Goal (issue 8): p99 under 1 s from commit to delivery with ~100 subscribers. The machine's 2 cores are
shared with other work while this runs, so figures are noisy; the ratio is the steadier number.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text
from tests.support.server import free_port
from tests.support.world import TwoOrgs, case_payload, make_two_orgs

from asylon.db.engine import make_engine, transaction
from asylon.db.migrate import upgrade
from asylon.schemas.agreements import AgreementAction, AgreementCreate
from asylon.schemas.cases import CaseCreate
from asylon.services import agreements, registry
from asylon.services.feed import head
from benchmarks.platform_core import machine

PURPOSE = "assistance-coordination"


@dataclass
class Run:
    committed: dict[int, float] = field(default_factory=dict)  # case id -> commit time
    received: list[tuple[int, int, float]] = field(default_factory=list)  # subscriber, case id, arrival


def fresh(url: str) -> TwoOrgs:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    orgs = make_two_orgs(engine)
    today = dt.date.today()
    with transaction(engine) as session:
        agreement = agreements.create_agreement(session, actor=orgs.a_admin.actor, data=AgreementCreate(
            title="bench", purpose=PURPOSE, parties=["agency-a", "state-b"],
            legal_basis="vital-interests", fields=["case.legal_status", "person.needs"],
            valid_from=today, valid_until=today + dt.timedelta(days=1)))
        for member in (orgs.a_admin, orgs.b_admin):
            agreements.act(session, actor=member.actor, data=AgreementAction(agreement_id=agreement.id,
                                                                              action="approve"))
    engine.dispose()
    return orgs


def writer(url: str, orgs: TwoOrgs, run: Run, events: int, rate: float, prefix: str) -> None:
    engine = make_engine(url)
    start = time.monotonic()
    for i in range(events):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        with transaction(engine) as session:
            case = registry.register_case(session, actor=orgs.a_caseworker.actor,
                                          data=CaseCreate.model_validate(case_payload(f"{prefix}-{i}")))
            case_id = case.id
        run.committed[case_id] = time.monotonic()
    engine.dispose()


def headers_for(orgs: TwoOrgs, index: int) -> dict[str, str]:
    if index % 2:
        return orgs.b_admin.headers | {"X-Asylon-Purpose": PURPOSE}
    return dict(orgs.a_admin.headers)


async def sse_subscriber(client: httpx.AsyncClient, index: int, orgs: TwoOrgs, run: Run, ready: asyncio.Event,
                         connected: Counter[str], stop: asyncio.Event, total: int) -> None:
    headers = headers_for(orgs, index) | {"Accept": "text/event-stream"}
    async with client.stream("GET", "/api/v1/feed/events", headers=headers) as response:
        data = ""
        async for line in response.aiter_lines():
            if line == ": connected":
                connected["n"] += 1
                if connected["n"] == total:
                    ready.set()
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data:
                event = json.loads(data)
                data = ""
                if event["kind"] == "case.registered":
                    run.received.append((index, event["case_id"], time.monotonic()))
            if stop.is_set():
                return


async def polling_subscriber(client: httpx.AsyncClient, index: int, orgs: TwoOrgs, run: Run, stop: asyncio.Event,
                             cursor: int, interval: float) -> None:
    headers = headers_for(orgs, index)
    await asyncio.sleep(interval * index / 100)  # pollers spread over the interval, as independent clients would
    while not stop.is_set():
        page = (await client.get("/api/v1/feed/events", params={"after": cursor, "limit": 1000},
                                 headers=headers)).json()
        now = time.monotonic()
        for event in page["events"]:
            if event["kind"] == "case.registered":
                run.received.append((index, event["case_id"], now))
        cursor = page["cursor"]
        await asyncio.sleep(interval)


async def measure(base: str, url: str, orgs: TwoOrgs, mode: str, subscribers: int, events: int,
                  rate: float) -> Run:
    run = Run()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=subscribers + 10, max_keepalive_connections=subscribers + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=httpx.Timeout(30.0, read=None)) as client:
        engine = make_engine(url)
        with transaction(engine, write=False) as session:
            cursor = head(session)
        engine.dispose()
        if mode == "sse":
            ready = asyncio.Event()
            connected: Counter[str] = Counter()
            tasks = [asyncio.create_task(sse_subscriber(client, i, orgs, run, ready, connected, stop, subscribers))
                     for i in range(subscribers)]
            await asyncio.wait_for(ready.wait(), 60)
        else:
            tasks = [asyncio.create_task(polling_subscriber(client, i, orgs, run, stop, cursor, 1.0))
                     for i in range(subscribers)]
        thread = threading.Thread(target=writer, args=(url, orgs, run, events, rate, f"{mode}-{time.time_ns()}"))
        thread.start()
        await asyncio.to_thread(thread.join)
        deadline = time.monotonic() + 15
        while len(run.received) < events * subscribers and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return run


def summary(run: Run, subscribers: int, events: int) -> dict[str, float]:
    latencies = sorted(t - run.committed[c] for _, c, t in run.received if c in run.committed)
    pairs = Counter((s, c) for s, c, _ in run.received)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"deliveries": len(latencies), "expected": subscribers * events,
            "duplicates": sum(n - 1 for n in pairs.values() if n > 1), "p50": q[49], "p99": q[98],
            "max": latencies[-1] if latencies else float("nan")}


def bench(url: str, subscribers: int, events: int, rate: float) -> dict[str, dict[str, float]]:
    orgs = fresh(url)
    port = free_port()
    env = os.environ | {"ASYLON_DATABASE_URL": url, "ASYLON_ENVIRONMENT": "test"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "asylon.api.app:create_app", "--factory",
                               "--port", str(port), "--log-level", "warning", "--no-access-log",
                               "--timeout-graceful-shutdown", "2"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        return {mode: summary(asyncio.run(measure(base, url, orgs, mode, subscribers, events, rate)),
                              subscribers, events) for mode in ("sse", "polling")}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="cases registered per second")
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL URL (its schema is dropped)")
    args = parser.parse_args()
    print(f"machine: {machine()}; other engineers share these cores, so timings are noisy")
    print(f"{args.subscribers} subscribers (half own organisation, half partner under an agreement), "
          f"{args.events} events at {args.rate:g}/s\n")
    backends = {"SQLite": f"sqlite:///{Path(tempfile.mkdtemp()) / 'feed.db'}"}
    if args.postgres:
        backends["PostgreSQL"] = args.postgres
    print(f"{'backend':<11} {'mode':<9} {'delivered':>13} {'dups':>5} {'p50 s':>7} {'p99 s':>7} {'max s':>7}"
          f"  {'p99 vs SSE':>10}")
    for name, url in backends.items():
        results = bench(url, args.subscribers, args.events, args.rate)
        for mode, r in results.items():
            ratio = r["p99"] / results["sse"]["p99"]
            print(f"{name:<11} {mode:<9} {int(r['deliveries']):>6}/{int(r['expected']):<6} {int(r['duplicates']):>5} "
                  f"{r['p50']:>7.3f} {r['p99']:>7.3f} {r['max']:>7.3f}  {ratio:>9.1f}x")
    print("\ngoal: SSE p99 < 1 s; delivered must equal expected with 0 duplicates")


if __name__ == "__main__":
    main()
