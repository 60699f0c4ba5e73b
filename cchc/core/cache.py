"""Results shared between users, cached under a version of the data they are computed from.

A key carries the version (say, the newest month figure's id and the unit tree's last change): a
write that changes the data changes the version, so the next read computes afresh and the old entry
just ages out. Nothing has to be deleted on a write, and each process (gunicorn worker, node) may
keep its own cache — they agree because they read the same version from the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

# An entry outlives its data at most this long when nothing reads it again (the version moved on).
TIMEOUT = 3600


def versioned(name: str, version: object, key: object, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()``, or its result for the same ``name``, ``version`` and ``key`` if cached."""
    digest = hashlib.sha256(repr((version, key)).encode()).hexdigest()[:32]
    cache_key = f"cchc:{name}:{digest}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, timeout)
    return value
