"""Which objects have a change-history page, who may read each one's history, and how it reads.

Each module registers its models with the function that fetches one object for a user (raising 404
when the user may not see it), so the history page reuses the object's own permission check.

Audit rows keep raw values (``status: ["not_started", "in_progress"]``, ISO dates, lists, ids) so
they stay exact; this module turns them into what a person reads: the field's Vietnamese label, the
choice label, dates as dd/mm/yyyy, numbers with a decimal comma, lists joined, ids as names.
A module adds what only it knows at registration: labels for keys that are not model fields,
formatters for its own values, and resolvers that turn ids into names (one query per page, not
per row).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from cchc.core.numbers import format_number

EMPTY = "—"

# Keys written by several modules that are not (or not under that name) model fields.
COMMON_LABELS = {
    "version": "phiên bản",
    "evidence": "tài liệu kiểm chứng",
    "lead_units": "đơn vị chủ trì",
    "partner_units": "đơn vị phối hợp",
    "units": "đơn vị",
    "revision": "lần gửi",
    "is_active": "hiệu lực",
}

# Actions whose changes are [old, new] pairs; the others (create, delete, import) carry one value.
PAIR_ACTIONS = {"update", "status", "attach", "detach"}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    access: Callable
    title: Callable[[models.Model], str] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    formatters: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    # key -> function(set of ids) -> {id: name}: values of that key are ids (or lists of ids).
    references: Mapping[str, Callable[[set], Mapping[Any, str]]] = field(default_factory=dict)
    # Keys whose value lists what changed (["area_0", "causes"]), not an [old, new] pair.
    changed_lists: frozenset[str] = frozenset()

    def __iter__(self):  # `model, access = lookup(label)` keeps working
        return iter((self.model, self.access))


@dataclass(frozen=True)
class Change:
    label: str
    new: str
    old: str | None = None  # None: a single value (created, deleted, listed), not "old → new"

    @property
    def is_pair(self) -> bool:
        return self.old is not None


@dataclass(frozen=True)
class ReadableEntry:
    entry: Any  # the AuditEntry
    changes: list[Change]


_REGISTRY: dict[str, Registration] = {}


def register(
    model: type[models.Model],
    access: Callable,
    *,
    title: Callable[[models.Model], str] | None = None,
    labels: Mapping[str, str] | None = None,
    formatters: Mapping[str, Callable[[Any], str]] | None = None,
    references: Mapping[str, Callable[[set], Mapping[Any, str]]] | None = None,
    changed_lists: Iterable[str] = (),
) -> None:
    _REGISTRY[model._meta.label_lower] = Registration(
        model=model,
        access=access,
        title=title,
        labels=dict(labels or {}),
        formatters=dict(formatters or {}),
        references=dict(references or {}),
        changed_lists=frozenset(changed_lists),
    )


def lookup(label: str) -> Registration | None:
    return _REGISTRY.get(label)


def label_for(instance: models.Model) -> str:
    return instance._meta.label_lower


def title_for(registration: Registration, instance: models.Model) -> str:
    return registration.title(instance) if registration.title else str(instance)


# Values -----------------------------------------------------------------------------------------


def format_date(value: Any) -> str:
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_date(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return plain(value)


def plain(value: Any) -> str:
    """Any stored value as text, without knowing its field."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int) and abs(value) < 10000:
        return str(value)  # years (2026) and small counts read best without a thousands dot
    if isinstance(value, int | float | Decimal):
        return format_number(value, 2, trim=True)
    if isinstance(value, list | tuple | set):
        items = [plain(v) for v in value if v not in (None, "")]
        return ", ".join(items) if items else EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, str) and (_ISO_DATE.match(value) or _ISO_DATETIME.match(value)):
        return format_date(value)
    return str(value)


def _model_field(model: type[models.Model], name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        if name.endswith("_id"):
            return _model_field(model, name[:-3])
        return None


def _field_formatter(model_field) -> Callable[[Any], str]:
    if model_field is None:
        return plain
    if getattr(model_field, "flatchoices", None):
        choices = {str(k): str(v) for k, v in model_field.flatchoices}
        return lambda value: (
            plain([choices.get(str(v), v) for v in value])
            if isinstance(value, list)
            else (choices.get(str(value), plain(value)) if value not in (None, "") else EMPTY)
        )
    if isinstance(model_field, models.DateTimeField | models.DateField):
        return lambda value: EMPTY if value in (None, "") else format_date(value)
    if isinstance(model_field, models.DecimalField | models.FloatField):

        def number(value):
            try:
                return format_number(Decimal(str(value)), 2, trim=True) if value not in (None, "") else EMPTY
            except (InvalidOperation, ValueError):
                return plain(value)

        return number
    return plain


def _label(registration: Registration, key: str) -> str:
    if key in registration.labels:
        return capfirst(registration.labels[key])
    model_field = _model_field(registration.model, key)
    if model_field is not None and getattr(model_field, "verbose_name", None):
        verbose = str(model_field.verbose_name)
        if verbose != key.replace("_", " "):  # Django's default: the English name
            return capfirst(verbose)
    if key in COMMON_LABELS:
        return capfirst(COMMON_LABELS[key])
    return capfirst(key.replace("_", " "))


def _ids(value: Any) -> Iterable:
    if isinstance(value, list | tuple | set):
        for item in value:
            yield from _ids(item)
    elif value not in (None, ""):
        yield value


def readable(registration: Registration, entries: Iterable) -> list[ReadableEntry]:
    """The entries of one object's history as labelled, formatted changes."""
    entries = list(entries)
    names: dict[str, Mapping[Any, str]] = {}
    for key, resolve in registration.references.items():
        wanted = {i for e in entries for i in _ids((e.changes or {}).get(key))}
        names[key] = resolve(wanted) if wanted else {}

    def render(key: str, value: Any) -> str:
        if key in names:
            known = names[key]
            shown = [known.get(i, known.get(str(i), str(i))) for i in _ids(value)]
            return ", ".join(shown) if shown else EMPTY
        if key in registration.formatters:
            formatter = registration.formatters[key]
            if isinstance(value, list) and key in registration.changed_lists:
                return ", ".join(formatter(v) for v in value) or EMPTY
            return formatter(value)
        return _field_formatter(_model_field(registration.model, key))(value)

    result = []
    for entry in entries:
        changes = []
        for key, value in (entry.changes or {}).items():
            label = _label(registration, key)
            is_pair = (
                entry.action in PAIR_ACTIONS
                and key not in registration.changed_lists
                and isinstance(value, list)
                and len(value) == 2
            )
            if is_pair:
                changes.append(Change(label, render(key, value[1]), render(key, value[0])))
            else:
                changes.append(Change(label, render(key, value)))
        result.append(ReadableEntry(entry, changes))
    return result
