"""Errors that a person can act on.

Every error asylon raises on purpose derives from :class:`AsylonError`. Each carries structured fields
and a message that says what went wrong *and what to do about it*. Interfaces map these to HTTP status
codes (``asylon.api.problems``) and CLI exit codes (``asylon.cli``) in one place each; nothing below the
interfaces knows about either.

::

    AsylonError
    ├── InvalidInput            one or more problems with what the caller sent (fields, rows, columns)
    │   └── InvalidFile         ... found while reading a file (names the file)
    ├── NotFound                no such record, or the caller may not see it (the two look the same)
    ├── PermissionDenied        the caller is known but their role does not allow the action
    ├── Unauthenticated         no valid credentials
    ├── Conflict                the action clashes with the current state (duplicate key, stale version)
    ├── RuleRefused             a domain rule refused the action; names the rule
    │   ├── TransitionRefused   a state machine has no such transition
    │   └── SafeguardRefused    a protection safeguard (non-refoulement, family unity, voluntariness)
    └── ConfigurationError      the platform is set up wrongly (settings, missing optional backend)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, precise enough to fix.

    ``row`` is 1-based and counts data rows as a person sees them in a spreadsheet (the header is row 1,
    so the first data row is row 2) unless the producer documents otherwise. ``field`` is a column or a
    JSON field path such as ``persons[2].date_of_birth``.
    """

    message: str
    field: str | None = None
    row: int | None = None
    value: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"column {self.field}" if self.row is not None else f"field {self.field}")
        text = ", ".join(where)
        head = f"{text}: " if text else ""
        tail = f"; {self.fix}" if self.fix else ""
        return f"{head}{self.message}{tail}"


class AsylonError(Exception):
    """Root of every error asylon raises on purpose."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AsylonError):
    """What the caller sent is wrong; ``problems`` lists every problem found, not only the first."""

    code = "invalid-input"

    def __init__(self, problems: Sequence[Problem] | Problem | str, *, summary: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if summary is None:
            if len(self.problems) == 1:
                summary = str(self.problems[0])
            else:
                shown = "; ".join(str(p) for p in self.problems[:5])
                more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
                summary = f"{len(self.problems)} problems: {shown}{more}"
        super().__init__(summary)


class InvalidFile(InvalidInput):
    """Problems found while reading a file; the message names the file."""

    code = "invalid-file"

    def __init__(self, path: str, problems: Sequence[Problem] | Problem | str) -> None:
        self.path = path
        super().__init__(problems)
        self.message = f"{path}: {self.message}"
        self.args = (self.message,)


class NotFound(AsylonError):
    """No such record, or one the caller may not see: the two are deliberately indistinguishable."""

    code = "not-found"

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!s} not found")


class Unauthenticated(AsylonError):
    code = "unauthenticated"


class PermissionDenied(AsylonError):
    code = "permission-denied"


class Conflict(AsylonError):
    code = "conflict"


class RuleRefused(AsylonError):
    """A domain rule refused the action. ``rule`` is a stable identifier documented in the rule's module."""

    code = "rule-refused"

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{message} (rule: {rule})")


class TransitionRefused(RuleRefused):
    code = "transition-refused"

    def __init__(self, machine: str, current: str, target: str, allowed: Iterable[str]) -> None:
        self.machine = machine
        self.current = current
        self.target = target
        self.allowed = sorted(allowed)
        choices = ", ".join(self.allowed) if self.allowed else "none (this state is final)"
        super().__init__(
            f"{machine}.transition",
            f"{machine} cannot go from '{current}' to '{target}'; from '{current}' it can go to: {choices}",
        )


class SafeguardRefused(RuleRefused):
    code = "safeguard-refused"


class ConfigurationError(AsylonError):
    code = "configuration"


@dataclass(slots=True)
class ProblemCollector:
    """Gathers problems over a whole input so one report lists them all."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where: object) -> None:
        self.problems.append(Problem(message, **where))  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, path: str | None = None) -> None:
        if self.problems:
            if path is not None:
                raise InvalidFile(path, self.problems)
            raise InvalidInput(self.problems)
