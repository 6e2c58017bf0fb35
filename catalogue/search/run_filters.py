"""Run filters: every filter on runs (dates, language, mode of delivery, place and distance,
price, free places, availability, certain to run) applies to one and the same run.

The engine asks here for a mask over all runs of a generation; a module matches when one of
its runs passes every run filter, its card shows the runs that did, and the "runs" view lists
those runs themselves. Facet counts of the run facets (language, mode of delivery) count
modules with a run that passes the other run filters and has that value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from catalogue.search.arrays import GenerationArrays
from catalogue.search.run_columns import (
    LANGUAGE_CODES,
    MODE_CODES,
    ONLINE_MODES,
    RUN_STATUS_CODES,
)

# Facets that are a property of each run as well as of the module.
RUN_FACETS = {
    "language": ("language", LANGUAGE_CODES),
    "delivery_mode": ("mode", MODE_CODES),
}
UPCOMING = np.array([RUN_STATUS_CODES[s] for s in ("planned", "open", "full")], dtype=np.int8)
ONLINE = np.array([MODE_CODES.index(m) for m in ONLINE_MODES], dtype=np.int8)
EARTH_RADIUS_KM = 6371.0088
NO_DISTANCE = np.float32(np.inf)


@dataclass
class RunMatch:
    """Which runs pass the run filters, and each run's distance from the place searched;
    `base` (every filter but the run facets) and the run facets' own masks are kept for the
    facet counts."""

    ok: np.ndarray
    distance: np.ndarray | None
    base: np.ndarray
    facets: dict[str, np.ndarray]


def active(request) -> bool:
    """Whether the search filters on runs (then language and mode of delivery are run filters
    too), or lists runs."""
    return bool(
        request.starts
        or request.price
        or request.seats_min
        or request.available_only
        or request.guaranteed_only
        or request.near is not None
        or request.view == "runs"
    )


def distances(arrays: GenerationArrays, near: tuple[float, float]) -> np.ndarray:
    """Great-circle distance in km of every run from a point (inf for runs with no place)."""
    lat, lon, cos_lat = _radians(arrays)
    lat0, lon0 = np.radians(near[0]), np.radians(near[1])
    a = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * cos_lat * np.sin((lon - lon0) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return np.where(np.isnan(km), np.inf, km).astype(np.float32)


def _radians(arrays: GenerationArrays):
    """The runs' latitudes and longitudes in radians and the latitudes' cosines (per
    generation)."""
    cached = arrays.derived.get("run_radians")
    if cached is None:
        lat = np.radians(arrays.run_records["lat"].astype(np.float64))
        lon = np.radians(arrays.run_records["lon"].astype(np.float64))
        cached = arrays.derived["run_radians"] = (lat, lon, np.cos(lat))
    return cached


def run_mask(arrays: GenerationArrays, request, today: date) -> RunMatch:
    """Runs that are upcoming and pass every run filter."""
    day = today.toordinal()
    records = arrays.run_records
    starts = request.starts
    first = max(day, starts.low.toordinal() if starts.low else 0)
    base = (arrays.run_starts >= first) & np.isin(arrays.run_status, UPCOMING)
    if starts.high:
        base &= arrays.run_starts <= starts.high.toordinal()
    if request.price:
        base &= request.price.within(arrays.run_prices)
    if request.seats_min:
        base &= records["free"] >= request.seats_min
    if request.available_only:
        base &= (arrays.run_status != RUN_STATUS_CODES["full"]) & (records["free"] != 0)
        base &= (records["deadline"] == 0) | (records["deadline"] >= day)
    if request.guaranteed_only:
        base &= records["guaranteed"] != 0
    distance = None
    if request.near is not None:
        distance = distances(arrays, request.near)
        close = distance <= (request.km if request.km is not None else 30)
        if request.also_online:
            close |= np.isin(records["mode"], ONLINE)
        base &= close
    facets = {}
    for name, (column, values) in RUN_FACETS.items():
        chosen = request.filters.get(name)
        if chosen:
            codes = [values.index(v) for v in chosen if v in values]
            facets[name] = np.isin(records[column], np.array(codes, dtype=np.int8))
    ok = base.copy()
    for mask in facets.values():
        ok &= mask
    return RunMatch(ok=ok, distance=distance, base=base, facets=facets)


def docs_with(arrays: GenerationArrays, ok: np.ndarray) -> np.ndarray:
    """Documents that have at least one of the runs in `ok`."""
    mask = np.zeros(len(arrays.live), dtype=bool)
    mask[arrays.run_docs[ok]] = True
    return mask


def nearest(arrays: GenerationArrays, match: RunMatch) -> np.ndarray:
    """Per document: the distance of its closest matching run (inf when none has a place)."""
    best = np.full(len(arrays.live), NO_DISTANCE, dtype=np.float32)
    if match.distance is not None:
        np.minimum.at(best, arrays.run_docs[match.ok], match.distance[match.ok])
    return best


def count_facet(arrays, match: RunMatch, name: str, others: np.ndarray):
    """(value, modules) of a run facet: modules in `others` with a run that passes the other
    run filters and has the value (one pass over the runs for all values)."""
    column, values = RUN_FACETS[name]
    ok = match.base.copy()
    for other, mask in match.facets.items():
        if other != name:
            ok &= mask
    ok &= others[arrays.run_docs]
    codes = arrays.run_records[column][ok].astype(np.int64)
    docs = arrays.run_docs[ok].astype(np.int64)
    known = codes >= 0
    pairs = np.unique(docs[known] * len(values) + codes[known])
    counts = np.bincount(pairs % len(values), minlength=len(values))
    return [(value, int(counts[i])) for i, value in enumerate(values) if counts[i]]


def matched_runs(arrays, match: RunMatch, docnums: list[int]) -> dict[int, list[int]]:
    """Per page document: positions of its matching runs, soonest (then nearest) first."""
    wanted = np.isin(arrays.run_docs, np.asarray(docnums, dtype=np.int32)) & match.ok
    rows = np.flatnonzero(wanted)
    distance = match.distance[rows] if match.distance is not None else np.zeros(len(rows))
    rows = rows[np.lexsort((distance, arrays.run_starts[rows]))]
    found: dict[int, list[int]] = {d: [] for d in docnums}
    for row in rows:
        found[int(arrays.run_docs[row])].append(int(arrays.run_positions[row]))
    return found


def run_rows(arrays, match: RunMatch, docs: np.ndarray, sort: str) -> np.ndarray:
    """The matching runs of the matching documents (row numbers), in the order shown:
    by start date, or by distance when sorting by distance."""
    rows = np.flatnonzero(match.ok & docs[arrays.run_docs])
    starts = arrays.run_starts[rows]
    distance = match.distance[rows] if match.distance is not None else np.zeros(len(rows))
    if sort == "distance":
        return rows[np.lexsort((rows, starts, distance))]
    return rows[np.lexsort((rows, distance, starts))]
