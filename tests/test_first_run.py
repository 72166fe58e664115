"""The first run a new user makes: `asylon demo` migrates, seeds, serves and answers with data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

pytestmark = pytest.mark.slow


def test_demo_serves_a_seeded_world(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASYLON_")} | {"ASYLON_DATA_DIR": str(tmp_path)}
    demo = subprocess.Popen([sys.executable, "-m", "asylon.cli", "demo", "--households", "150", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert demo.stdout is not None
        printed = ""
        deadline = time.monotonic() + 180
        while "asylon is ready" not in printed and time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            printed += line
        assert "asylon is ready" in printed, printed
        assert f"http://127.0.0.1:{port}/" in printed and "asylon-demo" in printed
        assert (tmp_path / "asylon.db").exists()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        token = subprocess.run([sys.executable, "-m", "asylon.cli", "tokens", "create", "--user",
                                "caseworker@un-amman.demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
                               check=True).stdout
        (value,) = re.findall(r"asy_\S+", token)
        cases = httpx.get(f"{base}/api/v1/cases", headers={"Authorization": f"Bearer {value}"}, timeout=10).json()
        assert cases["total"] > 0 and cases["items"][0]["persons"]
        page = httpx.get(f"{base}/", timeout=10, follow_redirects=True)
        assert page.status_code == 200
    finally:
        demo.terminate()
        demo.wait(timeout=20)
