"""Paged list responses."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class PagePublic(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
