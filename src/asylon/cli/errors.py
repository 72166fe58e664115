"""Exit codes for the CLI, mapped from asylon's errors in this one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from asylon import errors

T = TypeVar("T")

err_console = Console(stderr=True)

# Exit codes: 0 ok, 1 unexpected, 2 usage (Typer's own), then one per family of error.
EXIT_CODES: dict[type[errors.AsylonError], int] = {
    errors.InvalidInput: 3,
    errors.NotFound: 4,
    errors.Unauthenticated: 5,
    errors.PermissionDenied: 5,
    errors.Conflict: 6,
    errors.RuleRefused: 7,
    errors.ConfigurationError: 8,
}


def exit_code_for(exc: errors.AsylonError) -> int:
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


def run_guarded(action: Callable[[], T]) -> T:
    """Run ``action``; print an :class:`~asylon.errors.AsylonError` as a readable message and exit."""
    try:
        return action()
    except errors.AsylonError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        if isinstance(exc, errors.InvalidInput) and len(exc.problems) > 1:
            for problem in exc.problems[:50]:
                err_console.print(f"  - {problem}", highlight=False, soft_wrap=True)
            if len(exc.problems) > 50:
                err_console.print(f"  ... and {len(exc.problems) - 50} more", highlight=False)
        raise typer.Exit(exit_code_for(exc)) from exc
