"""How a module's runs are coded in the index: one fixed-size record per run, in the module's
`runs` column, read back into per-run arrays (catalogue.search.reader, .arrays), and what a
result shows of each run.

Every value a run filter needs is in the record, so that all run filters of a search are
applied to one and the same run (catalogue.search.run_filters). Places are geocoded when the
document is built (catalogue.places, offline), so distance needs no lookups at search time.
"""

from __future__ import annotations

import struct
from datetime import date
from typing import Any

import numpy as np

from catalogue.modules.runs import availability as run_availability
from catalogue.places import find_place
from catalogue.vocabularies import DeliveryMode, TeachingLanguage

RUN_STATUS_CODES = {"planned": 0, "open": 1, "full": 2, "completed": 3}
LANGUAGE_CODES = TeachingLanguage.values()
MODE_CODES = DeliveryMode.values()
# Runs that need no travel: "also online" keeps them in a search near a place.
ONLINE_MODES = ("online", "distance-learning")
# start day, price, status, language, mode, free places (-1: not said), enrolment deadline
# (day, 0: none), latitude and longitude (NaN: no known place), certain to run.
RUN = struct.Struct("<ifbbbiiffb")
RUN_DTYPE = np.dtype(
    [
        ("start", "<i4"),
        ("price", "<f4"),
        ("status", "i1"),
        ("language", "i1"),
        ("mode", "i1"),
        ("free", "<i4"),
        ("deadline", "<i4"),
        ("lat", "<f4"),
        ("lon", "<f4"),
        ("guaranteed", "i1"),
    ]
)


def _code(values, value) -> int:
    return values.index(value) if value in values else -1


def run_values(o) -> list:
    """The indexed values of a run (a row of Offering), as kept in the search document."""
    place = find_place(o.city) if o.city and o.delivery_mode not in ONLINE_MODES else None
    free = o.seats_left if o.seats_left is not None else o.seats
    return [
        o.start_date.toordinal(),
        float(o.price_eur),
        o.status,
        o.language,
        o.delivery_mode,
        0 if o.status == "full" else int(free),
        o.enrol_until.toordinal() if o.enrol_until else 0,
        round(place.latitude, 5) if place else None,
        round(place.longitude, 5) if place else None,
        bool(o.guaranteed),
    ]


def pack_runs(runs: list[list]) -> bytes:
    """A document's runs as the bytes of its `runs` column."""
    nan = float("nan")
    return b"".join(
        RUN.pack(
            start,
            price,
            RUN_STATUS_CODES.get(status, 3),
            _code(LANGUAGE_CODES, language),
            _code(MODE_CODES, mode),
            free,
            deadline,
            nan if lat is None else lat,
            nan if lon is None else lon,
            1 if guaranteed else 0,
        )
        for start, price, status, language, mode, free, deadline, lat, lon, guaranteed in runs
    )


def unpack_runs(values: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run of a segment: its record, its document (segment doc number) and its position
    among the document's runs."""
    count = len(values)
    lengths = np.fromiter((len(v) // RUN.size for v in values), dtype=np.int32, count=count)
    records = np.frombuffer(b"".join(values), dtype=RUN_DTYPE)
    docs = np.repeat(np.arange(count, dtype=np.int32), lengths)
    firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = (np.arange(len(docs), dtype=np.int32) - firsts).astype(np.int16)
    return records, docs, positions


def run_display(o) -> dict[str, Any]:
    """What a result shows of a run (stored in the index, no database reads)."""
    return {
        "id": o.id,
        "code": o.code,
        "start": o.start_date.isoformat(),
        "end": o.end_date.isoformat(),
        "enrol_until": o.enrol_until.isoformat() if o.enrol_until else None,
        "city": o.city,
        "price": float(o.price_eur),
        "status": o.status,
        "language": o.language,
        "delivery_mode": o.delivery_mode,
        "seats": o.seats,
        "seats_left": o.seats_left,
        "guaranteed": bool(o.guaranteed),
    }


def availability(run: dict[str, Any], today: date) -> str:
    """How a display run can be booked today (see catalogue.modules.runs.availability)."""
    deadline = date.fromisoformat(run["enrol_until"]) if run.get("enrol_until") else None
    return run_availability(run["status"], run.get("seats_left"), deadline, today)
