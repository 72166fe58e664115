"""A small explicit state machine: named states, allowed transitions, and a refusal that says what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from asylon.errors import TransitionRefused


@dataclass(frozen=True)
class StateMachine:
    """States and the transitions between them.

    >>> m = StateMachine("door", "closed", {"closed": {"open"}, "open": {"closed"}})
    >>> m.check("closed", "open")
    >>> m.allowed_from("open")
    frozenset({'closed'})
    """

    name: str
    initial: str
    transitions: Mapping[str, Iterable[str]]

    def __post_init__(self) -> None:
        frozen = {state: frozenset(targets) for state, targets in self.transitions.items()}
        object.__setattr__(self, "transitions", frozen)
        unknown = {t for targets in frozen.values() for t in targets} - set(frozen)
        if unknown or self.initial not in frozen:
            raise ValueError(f"{self.name}: undeclared states {sorted(unknown | ({self.initial} - set(frozen)))}")

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def allowed_from(self, state: str) -> frozenset[str]:
        return frozenset(self.transitions.get(state, ()))

    def is_final(self, state: str) -> bool:
        return not self.allowed_from(state)

    def check(self, current: str, target: str) -> None:
        """Raise :class:`TransitionRefused` unless ``current → target`` is allowed."""
        if target not in self.transitions:
            raise TransitionRefused(self.name, current, target, self.allowed_from(current))
        if target not in self.allowed_from(current):
            raise TransitionRefused(self.name, current, target, self.allowed_from(current))
