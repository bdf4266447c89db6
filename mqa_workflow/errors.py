"""Domain errors. The CLI and the API turn them into clear messages and 4xx answers."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A refusal with every problem found, so the user can fix them all at once."""

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.message = message
        self.problems = list(problems)
        lines = "".join(f"\n  - {problem}" for problem in self.problems)
        super().__init__(message + lines)


class RefusedInputError(ValueError):
    """Input a pure rule cannot use, with every problem found in it; ``what`` names the
    input in the message ("calendar refused:" and the problems, one a line)."""

    what = "input"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{self.what} refused:\n" + "\n".join(f"  - {p}" for p in problems))


class NotFoundError(DomainError):
    exit_code = 2


class InvalidInputError(DomainError):
    exit_code = 2


class ConflictError(DomainError):
    """Someone else changed the record first (optimistic locking) or it already exists."""

    exit_code = 3


class ForbiddenError(DomainError):
    """The actor is known but their role or relation does not allow it (the web's 403)."""

    exit_code = 6


class TransitionRefusedError(DomainError):
    """A transition whose trigger does not apply or whose guards failed."""

    exit_code = 4
