from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from asylon.cli import app
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.synthetic import generate_people, registrations

runner = CliRunner()


def text(result: object) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("linkage")
    left, right = registrations(generate_people(500, seed=41), seed=42)
    left.drop(columns=["true_id", "origin"]).rename(columns={"given_name": "first_name"}).to_csv(
        root / "unhcr.csv", index=False
    )
    right.drop(columns=["true_id", "origin"]).to_csv(root / "ngo.csv", index=False)
    (root / "secret.key").write_text("a" * 64)
    (root / "other.key").write_text("b" * 64)
    return root


@pytest.mark.slow
def test_link_writes_pairs_with_weights_and_clusters(files: Path) -> None:
    out, clusters = files / "p.csv", files / "c.csv"
    result = runner.invoke(
        app,
        [
            "link",
            str(files / "unhcr.csv"),
            str(files / "ngo.csv"),
            "--map",
            "given_name=first_name",
            "--out",
            str(out),
            "--clusters",
            str(clusters),
        ],
    )
    assert result.exit_code == 0, result.output
    pairs = pd.read_csv(out)
    assert {"left_id", "right_id", "match_weight", "match_probability", "w_given", "level_dob"} <= set(
        pairs.columns
    )
    assert len(pairs) > 100
    assert set(pd.read_csv(clusters).columns) == {"record_id", "source", "cluster_id"}


def test_missing_column_says_which_and_how_to_map(files: Path) -> None:
    result = runner.invoke(app, ["dedupe", str(files / "unhcr.csv")])
    assert result.exit_code == 3
    assert "missing required column 'given_name'" in text(result) and "--map given_name=first_name" in text(
        result
    )


def test_malformed_date_is_reported_with_row(files: Path) -> None:
    bad = pd.read_csv(files / "ngo.csv", dtype=str, keep_default_na=False)
    bad.loc[4, "date_of_birth"] = "31/02/1990"
    bad.to_csv(files / "bad.csv", index=False)
    result = runner.invoke(app, ["dedupe", str(files / "bad.csv")])
    assert result.exit_code == 3
    assert "row 6" in text(result) and "31/02/1990" in text(result)


def test_encode_and_link_encoded_round_trip_and_refuse_other_secret(files: Path) -> None:
    a, b, b2 = files / "a.clk.npz", files / "b.clk.npz", files / "b2.clk.npz"
    for src, key, target in (
        (files / "unhcr.csv", "secret.key", a),
        (files / "ngo.csv", "secret.key", b),
        (files / "ngo.csv", "other.key", b2),
    ):
        r = runner.invoke(
            app,
            [
                "encode",
                str(src),
                "--secret-file",
                str(files / key),
                "--out",
                str(target),
                "--map",
                "given_name=first_name",
            ]
            if src.name == "unhcr.csv"
            else ["encode", str(src), "--secret-file", str(files / key), "--out", str(target)],
        )
        assert r.exit_code == 0, r.output
    out = files / "enc-pairs.csv"
    r = runner.invoke(
        app, ["link-encoded", str(a), str(b), "--out", str(out), "--clusters", str(files / "enc-c.csv")]
    )
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(out)) > 50
    r = runner.invoke(app, ["link-encoded", str(a), str(b2)])
    assert r.exit_code == 3 and "different secrets" in text(r)


def test_encode_refuses_a_short_secret(files: Path) -> None:
    (files / "short.key").write_text("tiny")
    r = runner.invoke(app, ["encode", str(files / "ngo.csv"), "--secret-file", str(files / "short.key")])
    assert r.exit_code == 3 and "at least 32" in text(r)


def test_an_unknown_backend_is_refused_with_the_choices(files: Path) -> None:
    r = runner.invoke(app, ["dedupe", str(files / "ngo.csv"), "--backend", "postgres"])
    assert r.exit_code == 3
    assert "unknown linkage backend 'postgres'" in text(r) and "use one of duckdb, spark" in text(r)


@pytest.mark.slow
def test_backend_option_reaches_the_engine(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--backend spark`` asks the engine for Spark (test_spark.py runs Spark itself; here the run
    is handed to DuckDB to keep the CLI tests quick)."""
    import asylon.cli.linkage as cli_linkage

    seen: list[str] = []
    real = cli_linkage.link

    def spy(*args: Any, options: LinkageOptions, **kwargs: Any) -> LinkageResult:
        seen.append(options.backend)
        return real(*args, options=replace(options, backend="duckdb"), **kwargs)

    monkeypatch.setattr(cli_linkage, "link", spy)
    out = files / "spy-pairs.csv"
    files_args = [str(files / "unhcr.csv"), str(files / "ngo.csv"), "--map", "given_name=first_name"]
    outputs = ["--out", str(out), "--clusters", str(files / "spy-clusters.csv")]
    r = runner.invoke(app, ["link", *files_args, "--backend", "spark", *outputs])
    assert r.exit_code == 0, r.output
    assert seen == ["spark"] and len(pd.read_csv(out)) > 100
