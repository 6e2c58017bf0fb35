"""The counting rules and the small-number suppression, implemented once (docs/monitoring.md).

Input is a column-wise list of participation facts; output are breakdowns of unique people and
participations whose every cell has already been through `suppress`, so no page, API answer or
export can show a number the rules hide. The rules:

- A person is counted once per cell however many runs, institutions or regions they took part
  in; participations count every (person, run) pair.
- A participation belongs to the period in which its run starts (calendar years), to the region
  of the run's institution, to the sector of the run's module, and to the target group and
  category the institution reported for it.
- Completion rate: completed participations divided by the finished ones (completed or dropped
  out).
- Suppression: a count from 1 to 4 is shown as "< 5". When exactly one cell of a breakdown is
  below 5, the smallest other non-zero cell is hidden as well, so that the total beside the
  breakdown does not give the small one away.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

THRESHOLD = 5
SMALL = "< 5"
HIDDEN = "hidden"


@dataclass
class Facts:
    """Participation facts, one list per attribute, all of the same length."""

    person: list[int] = field(default_factory=list)
    region: list[int] = field(default_factory=list)
    institution: list[int] = field(default_factory=list)
    module: list[int] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    target_group: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    demo: list[bool] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> Facts:
        """Facts from rows in the order of the attributes above."""
        columns = list(zip(*rows, strict=True)) or [()] * 10
        return cls(*(list(c) for c in columns))

    def __len__(self) -> int:
        return len(self.person)

    def slice(self, start: int, end: int) -> Facts:
        """The facts from index start up to (not including) end."""
        return Facts(*(column[start:end] for column in self.__dict__.values()))

    def by_region(self) -> dict[int, Facts]:
        """The facts split by region; they must be sorted by region, then year."""
        parts: dict[int, Facts] = {}
        regions = self.region
        start = 0
        while start < len(regions):
            end = bisect_right(regions, regions[start], lo=start)
            parts[regions[start]] = self.slice(start, end)
            start = end
        return parts

    def in_years(self, first: int, last: int) -> Facts:
        """The facts of runs starting in the years first to last; sorted by year (one region)."""
        return self.slice(bisect_left(self.year, first), bisect_right(self.year, last))


@dataclass(frozen=True)
class Shown:
    """A count as it may be shown: the number, or the reason it is not shown."""

    value: int
    state: str = "shown"  # shown, small (1 to 4) or hidden (secondary suppression)

    @property
    def number(self) -> int | None:
        """The count when it may be shown, else None."""
        return self.value if self.state == "shown" else None

    @property
    def text(self) -> str:
        """The count as text: the number, "< 5" or "hidden"."""
        return {"shown": str(self.value), "small": SMALL}.get(self.state, HIDDEN)


@dataclass(frozen=True)
class Line:
    """One cell of a breakdown: unique people, participations and completion rate."""

    key: Hashable
    people: Shown
    participations: Shown
    completion_rate: float | None


@dataclass(frozen=True)
class Breakdown:
    """Cells of one dimension (region, target group, sector, ...) and their total."""

    dimension: str
    lines: list[Line]
    total: Line


def suppress(counts: dict[Hashable, int]) -> dict[Hashable, Shown]:
    """Primary suppression (1 to 4 become "< 5") and secondary (see the module's docstring)."""
    shown = {k: Shown(v, "small" if 0 < v < THRESHOLD else "shown") for k, v in counts.items()}
    small = [k for k, s in shown.items() if s.state == "small"]
    if len(small) == 1:
        others = [k for k, s in shown.items() if s.state == "shown" and s.value > 0]
        if others:
            smallest = min(others, key=lambda k: (counts[k], str(k)))
            shown[smallest] = Shown(counts[smallest], "hidden")
    return shown


def _single(value: int) -> Shown:
    return suppress({"total": value})["total"]


def _rate(completed: int, finished: int, people: Shown) -> float | None:
    """The completion rate, only where the people behind it may be shown and enough finished."""
    if people.state != "shown" or finished < THRESHOLD:
        return None
    return round(completed / finished, 3)


def breakdown(facts: Facts, dimension: str, keys: list[Hashable] | None = None) -> Breakdown:
    """Unique people, participations and completion per value of one attribute, suppressed."""
    values = getattr(facts, dimension)
    pairs = set(zip(values, facts.person, strict=True))
    people = Counter(v for v, _ in pairs)
    participations = Counter(values)
    completed = Counter(v for v, s in zip(values, facts.status, strict=True) if s == "completed")
    finished = Counter(
        v for v, s in zip(values, facts.status, strict=True) if s in ("completed", "dropped-out")
    )
    keys = keys if keys is not None else sorted(participations, key=str)
    shown_people = suppress({k: people.get(k, 0) for k in keys})
    shown_parts = suppress({k: participations.get(k, 0) for k in keys})
    lines = [
        Line(
            k,
            shown_people[k],
            shown_parts[k],
            _rate(completed.get(k, 0), finished.get(k, 0), shown_people[k]),
        )
        for k in keys
    ]
    total_people = _single(len(set(facts.person)))
    total = Line(
        "total",
        total_people,
        _single(len(facts)),
        _rate(sum(completed.values()), sum(finished.values()), total_people),
    )
    return Breakdown(dimension, lines, total)


@dataclass(frozen=True)
class TargetSpec:
    """What a target counts: a region's people in some years, maybe of one group or sector."""

    key: Hashable
    region: int
    first_year: int
    last_year: int
    target_group: str | None
    sector: str | None


def target_progress(facts: Facts, targets: list[TargetSpec]) -> dict[Hashable, Shown]:
    """Unique people counted against each target; targets of one region and period form one
    breakdown for suppression."""
    people_of: dict[int, set[tuple]] = {}
    for item in zip(
        facts.region, facts.target_group, facts.sector, facts.year, facts.person, strict=True
    ):
        people_of.setdefault(item[0], set()).add(item[1:])
    counts: dict[Hashable, int] = {}
    for spec in targets:
        counts[spec.key] = len(
            {
                person
                for group, sector, year, person in people_of.get(spec.region, ())
                if spec.first_year <= year <= spec.last_year
                and spec.target_group in (None, group)
                and spec.sector in (None, sector)
            }
        )
    result: dict[Hashable, Shown] = {}
    groups: dict[tuple, list[Hashable]] = {}
    for spec in targets:
        groups.setdefault((spec.region, spec.first_year, spec.last_year), []).append(spec.key)
    for keys in groups.values():
        result.update(suppress({k: counts[k] for k in keys}))
    return result
