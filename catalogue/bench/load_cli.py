"""The `catalogue bench load` command (options and exit status; the work is in bench/load.py)."""

from __future__ import annotations

import click

from catalogue.bench.options import results_options


@click.command("load")
@click.option("--nodes", default=2, show_default=True, type=click.IntRange(1, 4))
@click.option("--database-url", help="An empty PostgreSQL database (needed for several nodes).")
@click.option("--modules", default=2_000, show_default=True, type=click.IntRange(min=50))
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(min=1))
@click.option("--clients", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--max-requests",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=10),
    help="Stop after this many operations even before the time is up (a write operation is "
    "a read and a write, and two more for each retry after a conflict).",
)
@click.option("--workers", default=2, show_default=True, help="gunicorn workers per node.")
@click.option(
    "--write-share",
    default=0.10,
    show_default=True,
    type=click.FloatRange(0, 0.5),
    help="Share of requests that are writes through the API.",
)
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic catalogue.")
@click.option(
    "--convergence-limit",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds after the last write by which every index must have caught up.",
)
@results_options(
    "load-<modules>", "Write or refresh this run's section in this file (docs/benchmarks.md)."
)
def command(**options) -> None:
    """Serve a synthetic catalogue from several gunicorn nodes on one database, drive a mixed
    load of reads and writes, and check that nothing was lost and both indexes converged."""
    from catalogue.bench.load import main
    from catalogue.bench.search import Refused

    try:
        results = main(echo=click.echo, **options)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    if not results["passed"]:
        raise click.ClickException("the load run found errors, lost updates or stale indexes")
