"""Reads remembered while the database has not changed.

An entry is put with the data version (``db.data_version``) read before the data was; it is
given back only while the version is still that one, so no commit by any process has happened
since and the result is what reading again would give. Whatever else a result depends on (the
day, the locale) belongs in its key. Results are shared between callers: treat them as frozen."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

MISSING = object()  # what get() gives for no result at that version


class VersionedCache:
    """At most ``size`` results, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[object, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: object) -> object:
        """The result kept for ``key`` at ``version``, else MISSING."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return MISSING
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, version: object, value: object) -> None:
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_read(self, key: Hashable, version: object, read: Callable[[], object]) -> object:
        """The result kept for ``key`` at ``version``, else ``read()``'s, kept at ``version``
        (read before ``read`` ran). A version of None (the database cannot say) reads every time."""
        if version is not None:
            kept = self.get(key, version)
            if kept is not MISSING:
                return kept
        value = read()
        if version is not None:
            self.put(key, version, value)
        return value
