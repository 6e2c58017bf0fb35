"""Material search in `catalogue bench search`: build the material index beside the module
index, then time the finder's API over a few query classes (see docs/benchmarks.md)."""

from __future__ import annotations

import time
from typing import Any

MATERIAL_CLASSES = {
    "all": ("every published material, facets counted", []),
    "broad": ("one common word", [("q", "techniek")]),
    "open_licence": ("the open-licence group, no text", [("open_licence", "yes")]),
    "broad_facets": (
        "a common word with facets in several groups",
        [("q", "techniek"), ("open_licence", "yes"), ("sector", "mbo"), ("sort", "newest")],
    ),
    "synonym": ("words the thesaurus expands", [("q", "clean room")]),
    "licence_words": ("licence words", [("q", "creative commons")]),
}


def bench_materials(app, *, runs: int) -> dict[str, Any]:
    """Rebuild the material index (timed), then p50/p95 of the material API per class."""
    from urllib.parse import urlencode

    from catalogue.bench.search import percentiles
    from catalogue.db import new_session
    from catalogue.search.materials import material_index, rebuild_materials

    with app.app_context():
        session = new_session()
        started = time.perf_counter()
        documents = rebuild_materials(session, material_index())
        rebuild_seconds = time.perf_counter() - started
        session.close()
    client = app.test_client()
    classes: dict[str, Any] = {}
    for name, (description, params) in MATERIAL_CLASSES.items():
        path = "/api/v1/materials?" + urlencode(params)
        timings, total = [], 0
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} answered {response.status_code}")
            total = response.get_json()["total"]
        classes[name] = {
            "description": description,
            "hits": total,
            "first_ms": round(timings[0], 2),
            "api": percentiles(timings[1:]),
        }
    return {
        "documents": documents,
        "rebuild_seconds": round(rebuild_seconds, 2),
        "classes": classes,
    }


def material_lines(results: dict[str, Any]) -> list[str]:
    """The material part of the benchmark's text table."""
    found = results.get("materials")
    if not found:
        return []
    lines = [
        "",
        f"Material search ({found['documents']:,} materials, index built in "
        f"{found['rebuild_seconds']:.1f} s), API ms:",
        f"  {'class':15} {'hits':>8} {'first':>8} {'p50':>8} {'p95':>8}",
    ]
    for name, entry in found["classes"].items():
        api = entry["api"]
        lines.append(
            f"  {name:15} {entry['hits']:>8,} {entry['first_ms']:>8.1f} "
            f"{api['p50']:>8.1f} {api['p95']:>8.1f}"
        )
    return lines
