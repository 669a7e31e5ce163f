"""How well the data stand: every value (one dataset row) by the kind and reliability of the page
it was read in. The Sources page shows it to readers; a test holds it to settings.FOOTING_TARGETS."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field

from explainer.core import data as D
from explainer.core import files, settings
from explainer.core.records import Source


@dataclass
class Tally:
    values: int = 0
    reliability: Counter = field(default_factory=Counter)
    kind: Counter = field(default_factory=Counter)

    def add(self, entry: Source) -> None:
        self.values += 1
        self.reliability[entry.reliability] += 1
        self.kind[entry.kind] += 1

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


def combined(tallies: list[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.values += t.values
        out.reliability.update(t.reliability)
        out.kind.update(t.kind)
    return out


def verdict_datasets() -> list[str]:
    """The datasets the computed claims read: the data behind the verdicts."""
    from explainer.core import claims as C

    names: set[str] = set()
    for c in D.claims():
        names |= C.datasets_of(c)
    return sorted(names)


def largest(by_dataset: dict[str, Tally], total: Tally, share: float = 0.4) -> str | None:
    """The dataset that alone holds at least `share` of all values (its weight hides the rest)."""
    if not by_dataset or not total.values:
        return None
    name = max(by_dataset, key=lambda n: by_dataset[n].values)
    return name if by_dataset[name].values >= share * total.values else None


def _read_sources(source_ids: list[str]) -> tuple[Tally, list[str]]:
    """Values read in these registry entries (one id a value) together, and the kinds of page (in
    words, most values first) that were not first-hand."""
    registry = D.sources_by_id()
    t = Tally()
    words: Counter = Counter()
    for sid in source_ids:
        e = registry[sid]
        t.add(e)
        if e.kind not in settings.FIRST_HAND_KINDS:
            plural = settings.KIND_PHRASES.get(e.kind, ("a copy", "copies"))[1]
            words[e.read_as or plural] += 1
    return t, [w for w, _ in words.most_common()]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def shortfall_words(datasets: list[str]) -> str:
    """What a reader should know when these datasets' figures fall short of first-hand footing, in
    words from the registry ("" when they stand on the producers' own pages)."""
    datasets = [d for d in datasets if d in D.dataset_names()]
    return values_shortfall_words([sid for name in datasets for sid in D.load(name)["source"].astype(str)])


def values_shortfall_words(source_ids: list[str], what: str = "these figures") -> str:
    """The same for some figures only (the rows a card or a chart shows): one registry id a value,
    so that what is said describes those figures, not the whole dataset they come from. `what`
    names them ("the figures compared here" on a card, whose other sources may stand higher)."""
    words = _values_shortfall_words(source_ids)
    return words.replace("These figures", what[0].upper() + what[1:]).replace("these figures", what)


def _values_shortfall_words(source_ids: list[str]) -> str:
    if not source_ids:
        return ""
    t, kinds = _read_sources(source_ids)
    first = t.share(t.first_hand)
    if not t.values or first >= settings.FOOTING_TARGETS["first_hand_min"]:
        return ""
    low = t.share(t.reliability["low"])
    weak = (
        (
            " All of these figures rest on pages we rate low."
            if low == 1
            else f" {low:.0%} of these figures rest on pages we rate low."
        )
        if low
        else ""
    )
    if t.first_hand == 0:
        return (
            f"These figures were read in {_and(kinds)}; the producer's own publication or file could not be read "
            f"here.{weak}"
        )
    return (
        f"Only {first:.0%} of these figures were read in the producer's own publication or file; the rest in "
        f"{_and(kinds)}.{weak}"
    )


def data_source_ids() -> frozenset[str]:
    """The registry ids some dataset row was read in (their pages gave figures, not only words)."""
    return files.frozen_memo(("data_source_ids", str(D.folder())), _current_data_source_ids)


def _current_data_source_ids() -> frozenset[str]:
    names = D.dataset_names()
    stamps = tuple(files.stat_key(D.dataset_path(n)) for n in names)
    return _data_source_ids(tuple(names), stamps)


@functools.lru_cache(maxsize=8)
def _data_source_ids(names: tuple[str, ...], _stamps: tuple) -> frozenset[str]:
    return frozenset(sid for name in names for sid in D.load(name)["source"].astype(str))
