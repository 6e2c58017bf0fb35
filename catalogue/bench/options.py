"""Options that every `catalogue bench` command shares: where its figures are written."""

from __future__ import annotations

from pathlib import Path

import click


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
