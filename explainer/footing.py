"""How well the data stand: every value (one dataset row) by the kind and reliability of the page
it was read in. The Sources page shows it to readers; a test holds it to settings.FOOTING_TARGETS."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from explainer import data as D
from explainer import settings


@dataclass
class Tally:
    values: int = 0
    reliability: Counter = field(default_factory=Counter)
    kind: Counter = field(default_factory=Counter)

    def add(self, entry: dict) -> None:
        self.values += 1
        self.reliability[entry["reliability"]] += 1
        self.kind[entry["kind"]] += 1

    @property
    def first_hand(self) -> int:
        return sum(n for k, n in self.kind.items() if k in settings.FIRST_HAND_KINDS)

    def share(self, n: int) -> float:
        return n / self.values if self.values else 0.0


def tally() -> tuple[Tally, dict[str, Tally]]:
    """All values, and the values of each dataset."""
    registry = D.sources_by_id()
    total, by_dataset = Tally(), {}
    for name in D.dataset_names():
        t = by_dataset[name] = Tally()
        for sid in D.load(name)["source"].astype(str):
            t.add(registry[sid])
            total.add(registry[sid])
    return total, by_dataset


def shortfalls(total: Tally) -> list[str]:
    """What falls short of the targets, in words; empty when the data stand where they should."""
    out = []
    low = total.share(total.reliability["low"])
    first = total.share(total.first_hand)
    low_max, first_min = settings.FOOTING_TARGETS["low_max"], settings.FOOTING_TARGETS["first_hand_min"]
    if low > low_max:
        out.append(f"{low:.0%} of values rest on low-reliability pages (at most {low_max:.0%})")
    if first < first_min:
        out.append(f"{first:.0%} of values rest on first-hand sources (at least {first_min:.0%})")
    return out
