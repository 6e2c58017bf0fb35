"""Runs in search results: the arguments of the run filters, and each shown run with how it can
be booked today."""

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
