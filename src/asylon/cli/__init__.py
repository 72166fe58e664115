"""The ``asylon`` command line (Typer + Rich).

Each topic lives in its own module under ``asylon.cli`` and exposes ``register(app)``, which adds its
commands or sub-apps. Commands parse their arguments, call one service or engine function, and render.
Errors are mapped to exit codes in one place: :func:`asylon.cli.errors.run_guarded`.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="asylon",
    help="asylon: an open platform for international cooperation on refugee protection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# One line per topic module; each defines ``register(app: typer.Typer) -> None``.
_TOPICS: tuple[str, ...] = (
    "ledger",
    "platform",
    "accounts",
    "interchange",
    "fairshare",
    "pledges",
    "linkage",
    "agreements",
    "placement",
    "documents",
)

for _topic in _TOPICS:
    importlib.import_module(f"asylon.cli.{_topic}").register(app)
