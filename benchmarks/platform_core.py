"""Platform core: import throughput and API throughput / p99 latency, SQLite beside PostgreSQL, in one run.

    python -m benchmarks.platform_core [--persons 100000] [--seconds 10] [--repeat 3] [--workers 2] [--no-postgres]
                                       [--api-only]

Import: a generated caseload file of about ``--persons`` persons is imported into an empty database
(validation, safeguards, bulk writes, events; one transaction), timed end to end.
API: the demo world is seeded, the server runs in its own processes (``asylon serve --workers``, without its
access log) and ``wrk`` (Debian package) drives it over loopback with 16 connections; after a 2-second warm-up
per endpoint, requests/s and p99 latency are read from wrk's latency distribution, and the server's CPU time per
request from /proc (a figure that load from other processes on the machine disturbs far less than requests/s).
Goals (issue 2): import 100,000 persons < 60 s; list and read > 500 req/s with p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from tests.support.files import demo_rows, to_csv
from tests.support.world import make_two_orgs

from asylon.db.engine import make_engine, transaction
from asylon.db.migrate import upgrade
from asylon.services import accounts
from asylon.services.demo import seed_demo
from asylon.services.imports import import_cases
from benchmarks.machine import describe

WARM_UP = 2  # seconds of load on each endpoint before its measured runs
# Its own database: the benchmark drops and recreates the schema.
PG_URL = os.environ.get("ASYLON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def fresh(url: str) -> str:
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        engine = make_engine(url)
    elif engine.dialect.name == "postgresql":
        _ensure_database(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return url


def _ensure_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def bench_import(url: str, content: bytes, persons: int) -> tuple[float, float]:
    engine = make_engine(fresh(url))
    orgs = make_two_orgs(engine)
    started = time.perf_counter()
    with transaction(engine) as session:
        report = import_cases(session, actor=orgs.a_caseworker.actor, content=content, filename="bench.csv")
    elapsed = time.perf_counter() - started
    assert report.created > 0 and report.rows == persons
    engine.dispose()
    return elapsed, persons / elapsed


def bench_api(url: str, seconds: int, workers: int, repeat: int) -> dict[str, tuple[float, float, float]]:
    engine = make_engine(fresh(url))
    seed_demo(engine, households=3000)
    with transaction(engine) as session:
        user = accounts.find_user(session, "caseworker@un-amman.demo")
        token = accounts.issue_token(session, user=user, name="bench").token
        case_id = session.execute(text(
            "SELECT c.id FROM cases c JOIN organisations o ON o.id = c.organisation_id WHERE o.slug = 'un-amman' "
            "ORDER BY c.id LIMIT 1")).scalar_one()
    if engine.dialect.name == "postgresql":
        # The seeded pages written out now, not by a checkpoint in the middle of a measured run.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    engine.dispose()
    port = 8765
    env = os.environ | {"ASYLON_DATABASE_URL": url, "ASYLON_ENVIRONMENT": "test"}
    log = tempfile.NamedTemporaryFile("w", prefix="asylon-bench-server-", suffix=".log", delete=False)  # noqa: SIM115
    # Served as `asylon serve --workers N` serves it (connections balanced across the workers), without the
    # per-request access log and webhook delivery.
    server = subprocess.Popen(
        [sys.executable, "-m", "asylon.cli", "serve", "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--no-webhooks"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/api/v1/health", log.name)
        results = {}
        for name, path in (("health", "/api/v1/health"), ("list 20", "/api/v1/cases?limit=20"),
                           ("read", f"/api/v1/cases/{case_id}"), ("search", "/api/v1/cases?q=mohammed&limit=20")):
            _wrk(f"http://127.0.0.1:{port}{path}", token, WARM_UP)  # caches filled, statements prepared
            runs = []
            for _ in range(repeat):
                before = _cpu_seconds(server.pid)
                rate, p99, count = _wrk(f"http://127.0.0.1:{port}{path}", token, seconds)
                runs.append((rate, p99, (_cpu_seconds(server.pid) - before) / count * 1000))
            # The run of median throughput, with its own p99: one run, not a blend of several.
            results[name] = sorted(runs)[len(runs) // 2]
        return results
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait(url: str, log: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start; its output is in {log}")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children now running, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pending.extend(int(c) for c in children)
    return total


def _wrk(url: str, token: str, seconds: int) -> tuple[float, float, int]:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}",
                          url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_text = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99_text is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_text.group(2)]
    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors:\n{out}")
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rate, float(p99_text.group(1)) * scale, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default: one per core)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--api-only", action="store_true", help="skip the import benchmark")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per endpoint; the run of median throughput is printed (the cores are shared)")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    tmp = Path(tempfile.mkdtemp())
    backends = {"SQLite": f"sqlite:///{tmp / 'bench.db'}"}
    if not args.no_postgres:
        backends["PostgreSQL"] = PG_URL
    if not args.api_only:
        _imports(backends, args.persons)
    if shutil.which("wrk") is None:
        print("\nAPI: skipped (install Debian's wrk for the load generator)")
        return
    print(f"\nAPI over loopback, wrk 2 threads x 16 connections, {args.seconds} s per run, run of median throughput of "
          f"{args.repeat}, {args.workers} server worker(s), demo world of 3,000 households:")
    api = {name: bench_api(url, args.seconds, args.workers, args.repeat) for name, url in backends.items()}
    print(f"  {'endpoint':<9}" + "".join(f"{n + ' req/s':>18}{'p99 ms':>9}{'CPU ms/req':>12}" for n in api)
          + "   ratio req/s")
    for endpoint in api["SQLite"]:
        cells = "".join(f"{api[n][endpoint][0]:>18,.0f}{api[n][endpoint][1]:>9.1f}{api[n][endpoint][2]:>12.2f}"
                        for n in api)
        ratio = (api["PostgreSQL"][endpoint][0] / api["SQLite"][endpoint][0]) if "PostgreSQL" in api else 1.0
        print(f"  {endpoint:<9}{cells}   {ratio:.2f}x")
    print("  goals: list and read > 500 req/s, p99 < 100 ms")


def _imports(backends: dict[str, str], persons_asked: int) -> None:
    rows = demo_rows(persons_asked // 2)[:persons_asked]  # a cut household is still a valid (smaller) one
    content = to_csv(rows)
    persons = len(rows)
    print(f"\nimport of {persons:,} persons ({len(content) / 1e6:.1f} MB CSV), one transaction:")
    imports = {name: bench_import(url, content, persons) for name, url in backends.items()}
    base = imports["SQLite"][1]
    for name, (elapsed, rate) in imports.items():
        print(f"  {name:<11} {elapsed:7.1f} s  {rate:9,.0f} persons/s  ({rate / base:.2f}x SQLite)  goal < 60 s")


if __name__ == "__main__":
    main()
