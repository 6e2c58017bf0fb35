"""Runs in search results: the arguments of the run filters, and the results of the runs view
(one line per matching run, with its module), each run with how it can be booked today."""

from __future__ import annotations

from datetime import date
from typing import Any

from catalogue.places import find_place
from catalogue.search.run_columns import availability


def with_availability(run: dict[str, Any], today: date) -> dict[str, Any]:
    """A display run with "availability" (full, closed, few, open, planned) for today."""
    return {**run, "availability": availability(run, today)}


def run_request_args(args: dict[str, Any]) -> dict[str, Any]:
    """SearchRequest fields of the run filters, from loaded search arguments: a place is
    turned into coordinates (the schema has checked it is known); searching near a place sorts
    by distance unless another order is asked for."""
    place = find_place(args["near"]) if args.get("near") else None
    sort = args.get("sort") or ("distance" if place else "relevance")
    if sort == "distance" and place is None:
        sort = "relevance"
    return {
        "seats_min": args.get("seats_min"),
        "available_only": bool(args.get("available")),
        "guaranteed_only": bool(args.get("guaranteed")),
        "near": (place.latitude, place.longitude) if place else None,
        "km": args.get("km") if args.get("km") is not None else (30.0 if place else None),
        "also_online": bool(args.get("online")),
        "view": args.get("view") or "modules",
        "sort": sort,
    }


def run_hits(view, arrays, rows, today: date) -> list:
    """The runs view's results: (doc number, run position, distance) as hits with one run."""
    from catalogue.search.service import Hit

    displays: dict[int, dict[str, Any]] = {}
    hits = []
    for docnum, position, km in rows:
        display = displays.get(docnum) or displays.setdefault(docnum, view.stored(docnum))
        run = with_availability(display["runs"][position], today)
        hits.append(
            Hit(
                module_id=int(arrays.module_ids[docnum]),
                display=display,
                snippet="",
                next_run=run,
                runs=[run],
                distance_km=None if km is None or km == float("inf") else round(km, 1),
            )
        )
    return hits
