"""One problem, reported as `file:line: place: what is wrong [rule]`; many, reported at once."""

from __future__ import annotations

from dataclasses import dataclass

ROOT_CAUSES = ("yaml", "encoding", "required-file", "csv")  # a file that cannot be read at all


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    place: str  # "column 'units'", "entry 'ifr-2025'", "claim C04", ...
    message: str
    rule: str

    def order(self) -> tuple:
        """Causes first (a file that cannot be read), then by file and line."""
        return (self.rule not in ROOT_CAUSES, self.file, self.line or 0, self.place, self.message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        place = f" {self.place}:" if self.place else ""
        return f"{where}:{place} {self.message} [{self.rule}]"


class ProblemsError(Exception):
    """Raised with every problem found, so one run shows them all."""

    def __init__(self, problems: list[Problem], what: str = "problems"):
        self.problems = sorted(problems, key=Problem.order)
        super().__init__(f"{len(problems)} {what}:\n" + "\n".join(f"  {p}" for p in self.problems))
