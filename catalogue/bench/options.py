"""Options that every `catalogue bench` command shares: what a run is given, and where its
figures are written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(kw_only=True)
class RunOptions:
    """What a benchmark run over a synthetic catalogue is given (the command's options; its
    defaults are the command's): the catalogue's size and seed, the database, the gunicorn
    workers, the client threads and seconds of the driven load, where the figures go."""

    modules: int
    seed: int = 1
    database_url: str | None = None
    workers: int = 2
    clients: int
    seconds: float
    json_path: Path | None = None
    markdown_path: Path | None = None


def results_options(name: str, markdown_help: str):
    """`--json PATH` (default `bench-results/<name>-<size>.json`) and `--markdown PATH`."""
    json_option = click.option(
        "--json",
        "json_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Where to write the results (default: bench-results/{name}.json).",
    )
    markdown_option = click.option(
        "--markdown",
        "markdown_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=markdown_help,
    )

    def decorate(command):
        return json_option(markdown_option(command))

    return decorate
