"""One problem, reported as `file:line: place: what is wrong [rule]`; many, reported at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    place: str  # "column 'units'", "entry 'ifr-2025'", "claim C04", ...
    message: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        place = f" {self.place}:" if self.place else ""
        return f"{where}:{place} {self.message} [{self.rule}]"


class ProblemsError(Exception):
    """Raised with every problem found, so one run shows them all."""

    def __init__(self, problems: list[Problem], what: str = "problems"):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.place, p.message))
        super().__init__(f"{len(problems)} {what}:\n" + "\n".join(f"  {p}" for p in self.problems))
