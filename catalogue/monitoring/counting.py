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

from collections.abc import Hashable
from dataclasses import dataclass, fields

import numpy as np

from catalogue.vocabularies import Audience, ParticipationStatus, Sector, TargetGroup

THRESHOLD = 5
SMALL = "< 5"
HIDDEN = "hidden"

# Vocabulary attributes are held as their code's position in the vocabulary.
CODES: dict[str, list[str]] = {
    "target_group": TargetGroup.values(),
    "sector": Sector.values(),
    "category": Audience.values(),
    "status": ParticipationStatus.values(),
}
COMPLETED = CODES["status"].index("completed")
DROPPED_OUT = CODES["status"].index("dropped-out")


@dataclass
class Facts:
    """Participation facts as integer arrays of equal length, one per attribute."""

    person: np.ndarray
    region: np.ndarray
    institution: np.ndarray
    module: np.ndarray
    target_group: np.ndarray
    sector: np.ndarray
    category: np.ndarray
    status: np.ndarray
    year: np.ndarray
    demo: np.ndarray

    @classmethod
    def from_columns(cls, **columns) -> Facts:
        """Facts from integer sequences by attribute name; missing attributes are zeros."""
        size = len(columns["person"])
        return cls(
            **{
                f.name: np.asarray(columns.get(f.name, np.zeros(size)), dtype=np.int64)
                for f in fields(cls)
            }
        )

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> Facts:
        """Facts from rows in attribute order, with vocabulary codes as strings."""
        names = [f.name for f in fields(cls)]
        columns = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
        for name, codes in CODES.items():
            index = {code: position for position, code in enumerate(codes)}
            columns[name] = [index[v] for v in columns.get(name, ())]
        columns.setdefault("person", ())
        return cls.from_columns(**columns)

    def __len__(self) -> int:
        return len(self.person)

    def where(self, mask: np.ndarray) -> Facts:
        """The facts where `mask` is true."""
        return Facts(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def in_years(self, first: int, last: int) -> Facts:
        """The facts of runs starting in the years first to last (inclusive)."""
        return self.where((self.year >= first) & (self.year <= last))


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


# Above this many (value, person) cells, unique pairs are found by sorting instead of marking.
MARK_LIMIT = 20_000_000


def _people_per_value(values: np.ndarray, person: np.ndarray) -> dict[int, int]:
    """Unique people per value: each (value, person) pair is counted once."""
    if not len(person):
        return {}
    width = int(person.max()) + 1
    height = int(values.max()) + 1
    if width * height <= MARK_LIMIT:
        marks = np.zeros((height, width), dtype=bool)
        marks[values, person] = True
        counts = marks.sum(axis=1)
        return {v: int(c) for v, c in enumerate(counts.tolist()) if c}
    pairs = np.sort(values * width + person)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    return _count(pairs // width)


def _count(values: np.ndarray) -> dict[int, int]:
    if not len(values):
        return {}
    counts = np.bincount(values)
    return {v: int(c) for v, c in enumerate(counts.tolist()) if c}


def unique_people(person: np.ndarray) -> int:
    """How many different people the array names."""
    if not len(person):
        return 0
    marks = np.zeros(int(person.max()) + 1, dtype=bool)
    marks[person] = True
    return int(marks.sum())


def _tallies(groups: np.ndarray, person: np.ndarray, status: np.ndarray) -> list[dict]:
    """People, participations, completed and finished participations per group number."""
    done = status == COMPLETED
    finished = done | (status == DROPPED_OUT)
    return [
        _people_per_value(groups, person),
        _count(groups),
        _count(groups[done]),
        _count(groups[finished]),
    ]


def _lines(keys, numbers: dict, tallies: list[dict]) -> list[Line]:
    """Suppressed lines for keys, each counted under its group number."""
    people, participations, completed, finished = tallies
    shown_people = suppress({k: people.get(numbers[k], 0) for k in keys})
    shown_parts = suppress({k: participations.get(numbers[k], 0) for k in keys})
    return [
        Line(
            k,
            shown_people[k],
            shown_parts[k],
            _rate(completed.get(numbers[k], 0), finished.get(numbers[k], 0), shown_people[k]),
        )
        for k in keys
    ]


def breakdowns_by(
    facts: Facts, dimension: str, group: str | None, group_ids: list[int], keys=None
) -> dict[int, Breakdown]:
    """A breakdown by `dimension` for each value of `group` (one pass over all the facts).

    Vocabulary attributes are reported by code; others (region, institution, module) by id.
    """
    values = getattr(facts, dimension)
    codes = CODES.get(dimension)
    if keys is None:
        keys = codes if codes else sorted(set(values.tolist()))
    number = {k: codes.index(k) if codes else k for k in keys}
    highest = max([len(codes or ()) - 1, *number.values(), int(values.max()) if len(values) else 0])
    width = highest + 1
    groups = getattr(facts, group) if group else np.zeros(len(facts), dtype=np.int64)
    cells = _tallies(groups * width + values, facts.person, facts.status)
    totals = _tallies(groups, facts.person, facts.status)
    result = {}
    for group_id in group_ids:
        numbers = {k: group_id * width + n for k, n in number.items()}
        total = _lines(["total"], {"total": group_id}, totals)[0]
        result[group_id] = Breakdown(dimension, _lines(keys, numbers, cells), total)
    return result


def breakdown(facts: Facts, dimension: str, keys: list[Hashable] | None = None) -> Breakdown:
    """Unique people, participations and completion per value of one attribute, suppressed."""
    return breakdowns_by(facts, dimension, None, [0], keys)[0]


def relabel(breakdown: Breakdown, names: dict[Hashable, Hashable]) -> Breakdown:
    """The breakdown with its keys (ids) replaced by names (codes)."""
    lines = [
        Line(names.get(line.key, line.key), line.people, line.participations, line.completion_rate)
        for line in breakdown.lines
    ]
    return Breakdown(breakdown.dimension, lines, breakdown.total)


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
    counts: dict[Hashable, int] = {}
    for spec in targets:
        part = facts
        mask = (part.region == spec.region) & (part.year >= spec.first_year)
        mask &= part.year <= spec.last_year
        if spec.target_group is not None:
            mask &= part.target_group == CODES["target_group"].index(spec.target_group)
        if spec.sector is not None:
            mask &= part.sector == CODES["sector"].index(spec.sector)
        counts[spec.key] = unique_people(part.person[mask])
    result: dict[Hashable, Shown] = {}
    groups: dict[tuple, list[Hashable]] = {}
    for spec in targets:
        groups.setdefault((spec.region, spec.first_year, spec.last_year), []).append(spec.key)
    for keys in groups.values():
        result.update(suppress({k: counts[k] for k in keys}))
    return result
