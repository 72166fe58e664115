"""Reading HTML forms into the same pydantic schemas the API takes, and turning every problem into a
message next to the field it concerns. The web and the API therefore validate identically."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from asylon.errors import Problem

PERSON_FIELDS = ("person_ref", "relationship", "given_name", "family_name", "name_original", "name_script",
                 "sex", "date_of_birth", "nationality", "place_of_birth", "languages", "education",
                 "occupation")
CASE_FIELDS = ("case_number", "situation", "country_of_asylum", "origin_country", "fled_countries",
               "legal_status", "registered_on")
LIST_FIELDS = {"languages", "fled_countries"}
MAX_MEMBERS = 30


@dataclass(slots=True)
class FormErrors:
    """Messages by form field name (``persons-0-date_of_birth``), plus those that belong to no one field."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(message)
        else:
            self.general.append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def field_name(loc: Sequence[int | str]) -> str:
    """The form field for a pydantic error location.

    >>> field_name(("persons", 0, "date_of_birth"))
    'persons-0-date_of_birth'
    >>> field_name(("languages", 1))
    'languages'
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in LIST_FIELDS:
        return parts[0]
    if len(parts) >= 3 and parts[0] == "persons" and parts[2] in LIST_FIELDS | {"needs"}:
        return "-".join(parts[:3])
    return "-".join(parts)


def errors_from_validation(exc: ValidationError, prefix: str = "") -> FormErrors:
    errors = FormErrors()
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "missing":
            message = "this field is required"
        errors.add(prefix + field_name(loc) if loc else None, message)
    return errors


def errors_from_problems(problems: Iterable[Problem], prefix: str = "") -> FormErrors:
    errors = FormErrors()
    for p in problems:
        name = p.field.replace("[", "-").replace("].", "-").replace(".", "-").rstrip("]") if p.field else None
        errors.add(prefix + name if name else None, p.message + (f"; {p.fix}" if p.fix else ""))
    return errors


def split_list(text: str) -> list[str]:
    """Codes typed with commas or spaces: ``"ara, eng"`` → ``["ara", "eng"]``."""
    return [part for part in text.replace(",", " ").split() if part]


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def member_count(form: FormData) -> int:
    try:
        count = int(_text(form, "members") or "1")
    except ValueError:
        count = 1
    return max(1, min(count, MAX_MEMBERS))


def case_values(form: FormData) -> dict[str, Any]:
    """The raw values of a registration form, shaped like :class:`~asylon.schemas.cases.CaseCreate` input:
    empty fields are left out so the schema's defaults and "required" rules apply."""
    data: dict[str, Any] = {}
    for name in CASE_FIELDS:
        text = _text(form, name)
        if name in LIST_FIELDS:
            data[name] = [c.upper() for c in split_list(text)]
        elif text:
            data[name] = text
    persons = []
    for index in range(member_count(form)):
        prefix = f"persons-{index}-"
        person: dict[str, Any] = {}
        for name in PERSON_FIELDS:
            text = _text(form, prefix + name)
            if name in LIST_FIELDS:
                person[name] = [c.lower() for c in split_list(text)]
            elif text:
                person[name] = text
        person["needs"] = [str(v) for v in form.getlist(prefix + "needs") if isinstance(v, str) and v]
        if index == 0:
            person.setdefault("relationship", "principal")
        person.setdefault("person_ref", f"P{index + 1}")
        persons.append(person)
    data["persons"] = persons
    return data


def form_values(form: FormData) -> dict[str, str | list[str]]:
    """What the person typed, to put back into the form when it is shown again with its errors."""
    values: dict[str, str | list[str]] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if key.endswith("-needs") else (items[0] if items else "")
    return values
