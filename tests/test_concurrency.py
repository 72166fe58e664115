"""No lost writes: concurrent clients over real HTTP, and every acknowledged registration is stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

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
