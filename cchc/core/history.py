"""Which objects have a change-history page, and who may read each one's history.

Each module registers its models with the function that fetches one object for a user (raising 404
when the user may not see it), so the history page reuses the object's own permission check."""

from collections.abc import Callable

from django.db import models

_REGISTRY: dict[str, tuple[type[models.Model], Callable]] = {}


def register(model: type[models.Model], access: Callable) -> None:
    _REGISTRY[model._meta.label_lower] = (model, access)


def lookup(label: str):
    return _REGISTRY.get(label)


def label_for(instance: models.Model) -> str:
    return instance._meta.label_lower
