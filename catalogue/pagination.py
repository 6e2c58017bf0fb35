"""A page of results with its totals, shared by the HTML lists and the JSON API."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlmodel import Session

T = TypeVar("T")
U = TypeVar("U")

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


@dataclass
class Page(Generic[T]):
    """Items of one page and what a pager needs to link to the others."""

    items: list[T]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least one, so an empty list still has page 1)."""
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def map(self, function: Callable[[T], U]) -> Page[U]:
        """The same page with each item turned into `function(item)`."""
        return replace(self, items=[function(item) for item in self.items])


def paginate(session: Session, statement: Select, *, page: int, page_size: int) -> Page:
    """Run `statement` for one page, and count all its rows."""
    page = min(max(1, page), MAX_PAGE)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(
        session.scalars(statement.limit(page_size).offset((page - 1) * page_size)).unique()
    )
    return Page(items=items, page=page, page_size=page_size, total=total or 0)
