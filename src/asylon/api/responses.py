"""Answers built from models the services already validated."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


class ModelResponse(Response):
    """A JSON answer serialised straight from a model.

    A route that returns a model lets FastAPI validate it once more against its ``response_model`` (in another
    thread hop for sync routes) before serialising it; for models the services build from stored rows that only
    costs time, so the hot read routes return this and keep ``response_model=`` for the OpenAPI document.
    """

    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        super().__init__(model.__pydantic_serializer__.to_json(model), status_code=status_code)
