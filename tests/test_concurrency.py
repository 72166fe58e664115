"""No lost writes: concurrent clients over real HTTP, and every acknowledged registration is stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port
from tests.support.world import TwoOrgs, case_payload

pytestmark = [pytest.mark.db, pytest.mark.slow]

CLIENTS = 16
PER_CLIENT = 200


def test_concurrent_registrations_are_all_stored(live_url: str, orgs: TwoOrgs) -> None:
    def client(index: int) -> list[str]:
        acknowledged = []
        with httpx.Client(base_url=live_url, headers=orgs.a_caseworker.headers, timeout=60) as http:
            for n in range(PER_CLIENT):
                number = f"K{index:02d}-{n:04d}"
                response = http.post("/api/v1/cases", json=case_payload(number))
                if response.status_code == 201:
                    acknowledged.append(number)
                else:
                    assert response.status_code in (409, 503), response.text
        return acknowledged

    with ThreadPoolExecutor(CLIENTS) as pool:
        acknowledged = [n for batch in pool.map(client, range(CLIENTS)) for n in batch]
    assert len(acknowledged) == CLIENTS * PER_CLIENT  # none refused, none failed

    stored: set[str] = set()
    with httpx.Client(base_url=live_url, headers=orgs.a_viewer.headers, timeout=60) as http:
        offset = 0
        while True:
            page = http.get("/api/v1/cases", params={"limit": 500, "offset": offset}).json()
            stored.update(c["case_number"] for c in page["items"])
            offset += 500
            if offset >= page["total"]:
                break
        assert page["total"] == len(acknowledged)
    assert stored == set(acknowledged)


def test_several_server_processes_lose_no_writes(database_url: str, orgs: TwoOrgs, tmp_path: Path) -> None:
    """`asylon serve --workers 2`: two processes write the same database (on SQLite, one file) side by side."""
    port = free_port()
    env = os.environ | {"ASYLON_DATABASE_URL": database_url, "ASYLON_DATA_DIR": str(tmp_path),
                        "ASYLON_ENVIRONMENT": "test"}
    server = subprocess.Popen([sys.executable, "-m", "asylon.cli", "serve", "--port", str(port), "--workers", "2",
                               "--no-webhooks"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _up(base):
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.stderr else ""
            time.sleep(0.2)
        if sys.platform == "linux":
            # Each worker listens on a socket of its own, so the kernel spreads connections over them (one
            # shared socket sends a burst of connections mostly to one worker).
            # The first worker may answer before the second has started: wait for both.
            owners = _listening_sockets(port, _children(server.pid))
            while len(owners) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
                owners = _listening_sockets(port, _children(server.pid))
            assert len(owners) == 2 and len(set(owners.values())) == 2, owners

        def client(index: int) -> list[str]:
            with httpx.Client(base_url=base, headers=orgs.a_caseworker.headers, timeout=60) as http:
                numbers = [f"W{index:02d}-{n:03d}" for n in range(40)]
                for number in numbers:
                    response = http.post("/api/v1/cases", json=case_payload(number))
                    assert response.status_code == 201, response.text
                return numbers

        with ThreadPoolExecutor(8) as pool:
            acknowledged = {n for batch in pool.map(client, range(8)) for n in batch}
        with httpx.Client(base_url=base, headers=orgs.a_viewer.headers, timeout=60) as http:
            page = http.get("/api/v1/cases", params={"limit": 500}).json()
        assert {c["case_number"] for c in page["items"]} == acknowledged
        assert page["total"] == 320
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _listening_sockets(port: int, pids: list[int]) -> dict[int, int]:
    """The listening sockets on ``port`` (by inode) held by ``pids``: inode -> pid."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
            listening.add(int(fields[9]))
    owners = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:[") and int(target[8:-1]) in listening:
                owners[int(target[8:-1])] = pid
    return owners


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
