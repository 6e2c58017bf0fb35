"""A material's attribution, and materials and reuse registrations as the API reads them.

A reading holds the stored object and what the API shows beside the stored values (a licence's
terms, reuse counts, whether an agreement covers a reuse); the output schemas read the rest from
the stored object through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from catalogue.materials import licences, queries
from catalogue.materials.models import MaterialReuse
from catalogue.materials.queries import ReuseCount
from catalogue.modules.models import Material
from catalogue.readings import Reading


def attribution_of(material: Material) -> str:
    """The material's ready-to-copy TASL attribution."""
    return licences.attribution(
        title=material.title,
        authors=material.authors,
        source=material.module.institution.name,
        url=material.url,
        licence=material.licence,
    )


@dataclass(frozen=True)
class MaterialReading(Reading):
    """A stored material with its licence's terms, its attribution and how widely it is reused;
    every other value is the material's own (or, through it, its module's)."""

    reuse: ReuseCount

    @property
    def licence(self) -> licences.LicenceTerms:
        """The terms of the material's licence (the material holds only its code)."""
        return licences.terms_of(self.stored.licence)

    @property
    def attribution(self) -> str:
        """The material's ready-to-copy TASL attribution."""
        return attribution_of(self.stored)

    @property
    def reused_by_institutions(self) -> int:
        return self.reuse.institutions

    @property
    def reused_in_regions(self) -> int:
        return self.reuse.regions


@dataclass(frozen=True)
class ReuseReading(Reading):
    """A stored reuse registration with whether it is covered; every other value is the
    registration's own (or, through it, its institution's)."""

    covered: bool


@dataclass(frozen=True)
class ReuseListing:
    """Every reuse registration of a material, newest first, with how widely it is reused now."""

    items: list[ReuseReading]
    institutions: int
    regions: int


def read_material(session: Session, material: Material) -> MaterialReading:
    """A material with its licence's terms, its attribution and its active reuse counts."""
    return MaterialReading(material, queries.reuse_counts(session, [material.id])[material.id])


def read_reuse(session: Session, reuse: MaterialReuse) -> ReuseReading:
    """A reuse registration with whether it is covered (`queries.is_covered`); an ended one
    counts as covered, there being nothing left to flag."""
    return ReuseReading(reuse, not reuse.is_active or queries.is_covered(session, reuse))


def read_reuses(session: Session, material: Material) -> ReuseListing:
    """Every reuse registration of a material, newest first, with the active counts."""
    reuses = [read_reuse(session, r) for r in queries.material_reuses(session, material.id)]
    count = queries.reuse_counts(session, [material.id])[material.id]
    return ReuseListing(reuses, count.institutions, count.regions)
