"""What CLI commands share: the acting user, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from asylon.services.accounts import actor_for, find_user
from asylon.services.actors import Actor

console = Console()
USER_HELP = "E-mail of the user you act as (or set ASYLON_USER)."


def acting(session: Session, email: str) -> Actor:
    return actor_for(find_user(session, email))


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar driven by ``callback(phase, done, total)``; one bar per phase.

    When standard error is not a terminal (a log file, a job runner), each phase's start and end and at
    most one line every few seconds are printed as plain lines instead.
    """
    err = Console(stderr=True)
    if not err.is_terminal:
        yield _plain_progress(err)
        return
    with Progress(TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, object] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=max(total, 1))
            bar.update(tasks[phase], completed=done, total=max(total, 1))  # type: ignore[arg-type]

        yield update


def _plain_progress(err: Console) -> Callable[[str, int, int], None]:
    import time

    last: dict[str, float] = {}

    def update(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase not in last or done >= total or now - last[phase] > 5:
            last[phase] = now
            err.print(f"{phase} {done}/{total}", highlight=False, soft_wrap=True)
            err.file.flush()

    return update
