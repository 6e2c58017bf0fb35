"""Counts between pairs of regions: the region-by-region tables of recognition and reuse."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from catalogue.institutions.models import Region


@dataclass
class RegionGrid:
    """A count per pair of regions: the row's region and the column's, each named by the key
    (id or code) the grid is built with. A pair that is not counted has zero."""

    regions: list[Region]
    counts: dict[tuple[Hashable, Hashable], int]

    def count(self, row: Hashable, column: Hashable) -> int:
        """The count of one cell: the row's region to the column's region."""
        return self.counts.get((row, column), 0)
