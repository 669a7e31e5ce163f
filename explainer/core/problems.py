"""One problem, reported as `file:line: place: what is wrong [rule]`; many, reported at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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


def did_you_mean(word: object, known: Iterable[object]) -> str:
    """' (did you mean 'x'?)' naming the known ids or columns nearest a misspelt one, else ''."""
    names = [str(k) for k in known]
    close = difflib.get_close_matches(str(word), names, n=3, cutoff=0.6)
    if not close:  # ids differ by case or a digit more often than by letters ("c1" for "C1", "C10" for "C01")
        folded = {n.casefold(): n for n in names}
        close = difflib.get_close_matches(str(word).casefold(), list(folded), n=3, cutoff=0.5)
        close = [folded[c] for c in close]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


class ProblemsError(Exception):
    """Raised with every problem found, so one run shows them all."""

    def __init__(self, problems: list[Problem], what: str = "problems"):
        self.problems = sorted(problems, key=Problem.order)
        super().__init__(f"{len(problems)} {what}:\n" + "\n".join(f"  {p}" for p in self.problems))
