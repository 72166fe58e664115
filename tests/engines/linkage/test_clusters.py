from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.engines.linkage.clusters import connected_clusters


def union_find(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    return [find(x) for x in range(n)]


@settings(max_examples=80, derandomize=True)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40)
        )
    )
)
def test_clusters_match_union_find(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = case
    nodes = pd.DataFrame({"record_id": [f"r{k:02d}" for k in range(n)], "source": ["s"] * n})
    links = pd.DataFrame(
        {
            "left_id": [f"r{a:02d}" for a, _ in edges],
            "left_source": "s",
            "right_id": [f"r{b:02d}" for _, b in edges],
            "right_source": "s",
        }
    )
    got = connected_clusters(nodes, links)["cluster_id"].tolist()
    roots = union_find(n, edges)
    for x in range(n):
        for y in range(n):
            assert (got[x] == got[y]) == (roots[x] == roots[y])
    # the id is the smallest member label
    for x in range(n):
        members = [f"s:r{y:02d}" for y in range(n) if roots[y] == roots[x]]
        assert got[x] == min(members)
