"""``asylon dedupe`` / ``link`` / ``encode`` / ``link-encoded``: record linkage on files.

``dedupe`` and ``link`` read registers (CSV or Parquet) and write scored pairs (with the match weight
of every comparison) and clusters as CSV. ``encode`` turns a register into keyed Bloom-filter encodings
that can leave the organisation; ``link-encoded`` links two parties' encodings without any plaintext.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from asylon.cli.errors import run_guarded
from asylon.engines.linkage.backends import check_backend
from asylon.engines.linkage.bloom import EncodingSchema, encode, load_secret, read_encodings, write_encodings
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.pprl import link_encoded
from asylon.engines.linkage.probabilistic import dedupe, link
from asylon.engines.linkage.records import apply_column_map, prepare, read_table, require_nonempty
from asylon.errors import InvalidInput, Problem

console = Console(stderr=True)
out_console = Console()

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="Read one of your columns as one of ours, OUR=YOURS (e.g. --map given_name=first_name). Repeatable.",
    ),
]
ThresholdOption = Annotated[
    float, typer.Option(help="Match probability at which a pair is a link and joins a cluster.")
]
ReviewOption = Annotated[float, typer.Option(help="Also write pairs from this probability up, for review.")]
PairsOption = Annotated[Path | None, typer.Option(help="Pairs CSV (default: named after the input).")]
ClustersOption = Annotated[Path | None, typer.Option(help="Clusters CSV (default: named after the input).")]
SeedOption = Annotated[int, typer.Option(help="Seed for training samples (reproducible runs).")]
BackendOption = Annotated[
    str,
    typer.Option(
        help="Where the linkage runs: duckdb (in-process) or spark (the running Spark session, else a local "
        "one on 2 cores; needs Java 17+). Both give the same pairs."
    ),
]


def _mapping(items: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in items or []:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise InvalidInput(
                Problem(
                    f"--map {item!r} is not OUR=YOURS", field="map", fix="e.g. --map given_name=first_name"
                )
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _read(path: Path, mapping: dict[str, str]) -> pd.DataFrame:
    return apply_column_map(read_table(path), mapping, source=str(path))


def _read_pair(left: Path, right: Path, mapping: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read two registers; a --map entry applies to whichever file has that column (at least one must)."""
    frames = [read_table(left), read_table(right)]
    unused = [theirs for theirs in mapping.values() if not any(theirs in f.columns for f in frames)]
    if unused:
        raise InvalidInput(
            [
                Problem(
                    f"--map ...={u}: neither file has a column '{u}'", field=u, fix="check the column name"
                )
                for u in unused
            ]
        )
    return tuple(  # type: ignore[return-value]
        apply_column_map(f, {o: t for o, t in mapping.items() if t in f.columns}, source=str(p))
        for f, p in zip(frames, (left, right), strict=True)
    )


def _progress() -> Callable[[str], None]:
    def say(message: str) -> None:
        console.print(f"[dim]… {message}[/]", highlight=False)

    return say


def _write_result(result: LinkageResult, pairs_path: Path, clusters_path: Path) -> None:
    result.pairs.to_csv(pairs_path, index=False)
    result.clusters.to_csv(clusters_path, index=False)
    links = result.links()
    sizes = result.clusters["cluster_id"].value_counts()
    table = Table(title="Linkage", title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("pairs written (for review)", f"{len(result.pairs):,}")
    table.add_row(f"links (match probability ≥ {result.threshold})", f"{len(links):,}")
    table.add_row("records", f"{len(result.clusters):,}")
    table.add_row("clusters of 2 or more records", f"{int((sizes > 1).sum()):,}")
    out_console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if len(links):
        top = result.explain(0)
        detail = ", ".join(f"{c.comparison} {c.match_weight:+.1f} ({c.level})" for c in top.contributions)
        out_console.print(
            f"Top pair {top.left_id} ~ {top.right_id}: weight {top.match_weight:.1f} = prior {top.prior_weight:+.1f}, {detail}",
            highlight=False,
        )
    out_console.print(f"Pairs: {pairs_path}\nClusters: {clusters_path}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("dedupe")
    def dedupe_command(
        file: Annotated[Path, typer.Argument(help="Register to deduplicate (CSV or Parquet).")],
        out: PairsOption = None,
        clusters: ClustersOption = None,
        map_: MapOption = None,
        threshold: ThresholdOption = 0.95,
        review_from: ReviewOption = 0.5,
        seed: SeedOption = 1,
        backend: BackendOption = "duckdb",
    ) -> None:
        """Find records of the same person within one register; write scored pairs and clusters
        (default FILE-pairs.csv, FILE-clusters.csv)."""

        def run(options: LinkageOptions) -> LinkageResult:
            records = _read(file, _mapping(map_))
            return dedupe(records, options=options, source=file.stem, progress=_progress())

        _run_and_write(run, file.stem, out, clusters, threshold, review_from, seed, backend)

    @app.command("link")
    def link_command(
        left: Annotated[Path, typer.Argument(help="First register (CSV or Parquet).")],
        right: Annotated[Path, typer.Argument(help="Second register.")],
        out: PairsOption = None,
        clusters: ClustersOption = None,
        map_: MapOption = None,
        threshold: ThresholdOption = 0.95,
        review_from: ReviewOption = 0.5,
        seed: SeedOption = 1,
        backend: BackendOption = "duckdb",
    ) -> None:
        """Find records of the same person across two registers; write scored pairs and clusters
        (default LEFT-RIGHT-pairs.csv, LEFT-RIGHT-clusters.csv)."""
        names = _source_names(left, right)

        def run(options: LinkageOptions) -> LinkageResult:
            left_frame, right_frame = _read_pair(left, right, _mapping(map_))
            return link(left_frame, right_frame, options=options, sources=names, progress=_progress())

        _run_and_write(run, f"{names[0]}-{names[1]}", out, clusters, threshold, review_from, seed, backend)

    @app.command("encode")
    def encode_command(
        file: Annotated[Path, typer.Argument(help="Register to encode (CSV or Parquet).")],
        secret_file: Annotated[
            Path,
            typer.Option(
                "--secret-file", help="File holding the secret shared with the other party (≥ 32 bytes)."
            ),
        ],
        out: Annotated[Path | None, typer.Option(help="Encodings file (default: FILE.clk.npz).")] = None,
        map_: MapOption = None,
        hardening: Annotated[
            str, typer.Option(help="balance (default), blip, or none (measurement only).")
        ] = "balance",
    ) -> None:
        """Encode a register into keyed Bloom filters; only the encodings file leaves the organisation."""

        def action() -> None:
            if hardening not in ("balance", "blip", "none"):
                raise InvalidInput(
                    Problem(
                        f"unknown hardening {hardening!r}", field="hardening", fix="use balance, blip or none"
                    )
                )
            secret = load_secret(secret_file)
            prepared = prepare(_read(file, _mapping(map_)), source=str(file))
            require_nonempty(prepared, source=str(file))
            encodings = encode(prepared, secret, EncodingSchema(hardening=hardening))  # type: ignore[arg-type]
            target = out or Path(f"{file.stem}.clk.npz")
            write_encodings(encodings, target)
            out_console.print(
                f"Encoded {len(encodings):,} records into {target} "
                f"(schema {encodings.schema.fingerprint()[:12]}…, {encodings.schema.output_bits} bits, hardening {hardening}). "
                "Share this file and the schema; keep the secret.",
                highlight=False,
            )

        run_guarded(action)

    @app.command("link-encoded")
    def link_encoded_command(
        a: Annotated[Path, typer.Argument(help="First party's encodings (from asylon encode).")],
        b: Annotated[Path, typer.Argument(help="Second party's encodings.")],
        out: Annotated[Path | None, typer.Option(help="Pairs CSV (default: A-B-pairs.csv).")] = None,
        clusters: Annotated[
            Path | None, typer.Option(help="Clusters CSV (default: A-B-clusters.csv).")
        ] = None,
        threshold: Annotated[
            float | None, typer.Option(help="Dice similarity for a link (default depends on the hardening).")
        ] = None,
        one_to_one: Annotated[
            bool,
            typer.Option(
                "--one-to-one/--many-to-many",
                help="At most one partner per record (default; each side deduplicated first), or all pairs above the threshold.",
            ),
        ] = True,
    ) -> None:
        """Link two parties' encodings by Dice similarity; no names or dates are needed or seen."""

        def action() -> None:
            names = _source_names(a, b)
            left_enc, right_enc = read_encodings(a), read_encodings(b)
            result = link_encoded(
                left_enc, right_enc, threshold=threshold, one_to_one=one_to_one, sources=names
            )
            stem = f"{names[0]}-{names[1]}"
            pairs_path = out or Path(f"{stem}-pairs.csv")
            clusters_path = clusters or Path(f"{stem}-clusters.csv")
            result.pairs.to_csv(pairs_path, index=False)
            result.clusters.to_csv(clusters_path, index=False)
            out_console.print(
                f"Compared {result.candidates:,} candidate pairs; {len(result.pairs):,} at Dice ≥ {result.threshold}.\n"
                f"Pairs: {pairs_path}\nClusters: {clusters_path}",
                highlight=False,
            )

        run_guarded(action)


def _run_and_write(
    run: Callable[[LinkageOptions], LinkageResult],
    stem: str,
    out: Path | None,
    clusters: Path | None,
    threshold: float,
    review_from: float,
    seed: int,
    backend: str,
) -> None:
    """What dedupe and link share: check the options, run, write pairs and clusters named after ``stem``."""

    def action() -> None:
        result = run(_options(threshold, review_from, seed, backend))
        _write_result(result, out or Path(f"{stem}-pairs.csv"), clusters or Path(f"{stem}-clusters.csv"))

    run_guarded(action)


def _options(threshold: float, review_from: float, seed: int, backend: str = "duckdb") -> LinkageOptions:
    check_backend(backend)
    if not 0 < review_from <= threshold < 1:
        raise InvalidInput(
            Problem(
                "need 0 < --review-from ≤ --threshold < 1",
                field="threshold",
                fix="e.g. --threshold 0.95 --review-from 0.5",
            )
        )
    return LinkageOptions(threshold=threshold, keep_from=review_from, seed=seed, backend=backend)


def _source_names(left: Path, right: Path) -> tuple[str, str]:
    a, b = left.name.split(".")[0], right.name.split(".")[0]
    return (a, b) if a != b else (f"{a}-1", f"{b}-2")
