"""Judging search: a set of queries with graded modules, and the measures of how well search does.

A judged set is a YAML file of queries as people type them, each with the user kind who typed
it and the modules that answer it, graded 2 (exactly what was asked for) or 1 (useful, related):

    queries:
      - query: yield data analyse
        user: coordinator
        relevant: {FHT-YLD-03: 2, HZ-SPC-01: 1}
        why: The yield module; SPC analyses production data too.

The measures, per query and averaged per user kind:
- P@5: graded modules among the first five, over min(5, number graded);
- recall@20: graded modules among the first twenty, over the number graded;
- nDCG@10: the first ten's gains (2^grade - 1, discounted by log2 of the position + 1) over
  the best possible order's.

`catalogue search evaluate` runs the set through the search service and prints the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

USER_KINDS = {
    "hr": "HR officers",
    "coordinator": "regional coordinators",
    "designer": "course designers",
}
MEASURES = ("p@5", "recall@20", "ndcg@10")
# The means every user kind must reach.
GOALS = {"p@5": 0.80, "recall@20": 0.85, "ndcg@10": 0.90}
DEPTH = 20  # results a query needs for the measures


class JudgedSetError(ValueError):
    """The judged set file is not as described above (the message says where)."""


@dataclass(frozen=True)
class Judged:
    """One query with its user kind and graded module codes."""

    query: str
    user: str
    relevant: dict[str, int]
    why: str


@dataclass
class Outcome:
    """What search returned for one judged query, and its measures."""

    judged: Judged
    codes: list[str]
    total: int
    scores: dict[str, float]

    @property
    def empty_with_relevant(self) -> bool:
        return self.total == 0 and bool(self.judged.relevant)


def load_judged(path: Path) -> list[Judged]:
    """The judged queries of a file, checked (a clear error names the entry that is wrong)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    entries = data.get("queries")
    if not isinstance(entries, list) or not entries:
        raise JudgedSetError(f"{path}: no `queries:` list")
    judged, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, query {number} ({entry.get('query')!r})"
        query, user = str(entry.get("query") or "").strip(), entry.get("user")
        relevant = entry.get("relevant") or {}
        if not query or query in seen:
            raise JudgedSetError(f"{where}: empty or repeated query")
        if user not in USER_KINDS:
            raise JudgedSetError(f"{where}: user must be one of {', '.join(USER_KINDS)}")
        if not relevant or any(grade not in (1, 2) for grade in relevant.values()):
            raise JudgedSetError(f"{where}: relevant needs modules graded 1 or 2")
        seen.add(query)
        judged.append(
            Judged(query, user, {str(k): v for k, v in relevant.items()}, entry.get("why", ""))
        )
    return judged


def precision_at(codes: list[str], relevant: dict[str, int], k: int = 5) -> float:
    """Graded modules among the first k, over min(k, number graded)."""
    found = sum(1 for code in codes[:k] if code in relevant)
    return found / min(k, len(relevant))


def recall_at(codes: list[str], relevant: dict[str, int], k: int = 20) -> float:
    """Graded modules among the first k, over the number graded."""
    return sum(1 for code in codes[:k] if code in relevant) / len(relevant)


def ndcg_at(codes: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """Discounted gain of the first k over that of the best order (gain 2^grade - 1)."""

    def dcg(grades: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(code, 0) for code in codes]) / ideal


def measure(judged: Judged, codes: list[str], total: int) -> Outcome:
    """The measures of one query's ranked module codes."""
    scores = {
        "p@5": precision_at(codes, judged.relevant),
        "recall@20": recall_at(codes, judged.relevant),
        "ndcg@10": ndcg_at(codes, judged.relevant),
    }
    return Outcome(judged, codes, total, scores)


def evaluate(judged: list[Judged], search: Callable[[str], tuple[list[str], int]]) -> list[Outcome]:
    """Run every query through `search` (text → first DEPTH module codes, total)."""
    return [measure(entry, *search(entry.query)) for entry in judged]


def means(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Per user kind (and "all"): the mean of each measure, and the number of queries."""
    table: dict[str, dict[str, float]] = {}
    for kind in [*USER_KINDS, "all"]:
        chosen = [o for o in outcomes if kind in ("all", o.judged.user)]
        if chosen:
            row = {m: sum(o.scores[m] for o in chosen) / len(chosen) for m in MEASURES}
            row["queries"] = len(chosen)
            table[kind] = row
    return table


def shortfalls(outcomes: list[Outcome]) -> list[str]:
    """What misses the goals: a user kind's mean below a goal, or a query without results."""
    problems = [
        f"{kind}: {measure_name} {row[measure_name]:.3f} < {goal:.2f}"
        for kind, row in means(outcomes).items()
        if kind != "all"
        for measure_name, goal in GOALS.items()
        if row[measure_name] < goal
    ]
    problems += [f"no results: {o.judged.query!r}" for o in outcomes if o.empty_with_relevant]
    return problems


def report(outcomes: list[Outcome], *, per_query: bool = False) -> str:
    """The table of means per user kind (and optionally every query's line), as text."""
    lines = []
    if per_query:
        for o in outcomes:
            values = " ".join(f"{o.scores[m]:.2f}" for m in MEASURES)
            missed = [c for c in o.judged.relevant if c not in o.codes[:DEPTH]]
            lines.append(
                f"{o.judged.user:<12} {values}  {o.judged.query!r} ({o.total} found)"
                + (f" missing {', '.join(missed)}" if missed else "")
            )
        lines.append("")
    lines.append(f"{'user kind':<24} {'queries':>7} " + " ".join(f"{m:>9}" for m in MEASURES))
    for kind, row in means(outcomes).items():
        label = USER_KINDS.get(kind, "all")
        lines.append(
            f"{label:<24} {int(row['queries']):>7} " + " ".join(f"{row[m]:>9.3f}" for m in MEASURES)
        )
    lines.append("goals" + " " * 28 + " ".join(f"{GOALS[m]:>9.2f}" for m in MEASURES))
    return "\n".join(lines)


def default_judged_set() -> Path:
    """The judged set of the seed catalogue (in a source checkout, beside its test)."""
    return Path(__file__).resolve().parents[2] / "tests" / "search" / "judged_by_users.yaml"


def evaluate_catalogue(session, judged: list[Judged]) -> list[Outcome]:
    """Run the judged set through the search service on this catalogue (codes of modules)."""
    from catalogue.search.engine import SearchRequest
    from catalogue.search.service import search_catalogue

    def search(text: str) -> tuple[list[str], int]:
        request = SearchRequest(text=text, page_size=DEPTH)
        page = search_catalogue(session=session, request=request)
        return [hit.display["code"] for hit in page.hits], page.total

    return evaluate(judged, search)
