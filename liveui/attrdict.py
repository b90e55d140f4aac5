"""A dict whose keys also read as attributes, the shape of the assigns templates see
(`assigns.count`, `streams.songs`, `uploads.avatar`)."""

from __future__ import annotations

from typing import Any


class AttrDict(dict):
    """Keys read as attributes; a missing one is an AttributeError that says how to set it
    (`missing`, formatted with the name and the known keys)."""

    __slots__ = ()
    missing = "no key {name!r}; keys are {known}"

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(self.missing.format(name=name, known=sorted(self))) from None
