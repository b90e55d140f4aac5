"""Upload configurations and entries: what `allow_upload` declares, what the client selected,
and the server-side checks (size, type, count) that never trust the client.

A view's uploads live in the `uploads` assign (`uploads.avatar.entries`); the bytes travel on
`lvu:` channels (upload_channel.py) to a writer (writers.py).
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .attrdict import AttrDict
from .tokens import random_id

if TYPE_CHECKING:
    from .socket import Socket

TOO_LARGE = "too_large"
NOT_ACCEPTED = "not_accepted"
TOO_MANY_FILES = "too_many_files"
EXTERNAL_CLIENT_FAILURE = "external_client_failure"
WRITER_FAILURE = "writer_failure"


@dataclass(eq=True)
class UploadEntry:
    """One file the client selected: its declared facts, its progress and its state."""

    ref: str
    upload_ref: str
    upload_config: str
    client_name: str
    client_size: int
    client_type: str = ""
    client_relative_path: str = ""
    client_last_modified: int | None = None
    client_meta: Any = None
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    progress: int = 0
    preflighted: bool = False
    done: bool = False
    valid: bool = True


@dataclass(eq=True)
class UploadConfig:
    """One `allow_upload` of a view or component: options, entries and errors."""

    name: str
    ref: str
    accept: tuple[str, ...] | str
    max_entries: int
    max_file_size: int
    chunk_size: int
    chunk_timeout: int
    auto_upload: bool
    external: Callable[..., Any] | None = None
    progress: Callable[..., Any] | None = None
    writer: Callable[..., Any] | None = None
    entries: list[UploadEntry] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def entry(self, ref: str) -> UploadEntry | None:
        return next((entry for entry in self.entries if entry.ref == ref), None)

    def client_config(self) -> dict[str, int]:
        """The limits the client needs to send chunks (the preflight reply's `config`)."""
        return {"max_file_size": self.max_file_size, "max_entries": self.max_entries,
                "chunk_size": self.chunk_size, "chunk_timeout": self.chunk_timeout}

    def accept_attr(self) -> str:
        return "" if self.accept == "any" else ",".join(self.accept)


class Uploads(AttrDict):
    """The `uploads` assign: name -> UploadConfig, also readable as attributes (`uploads.avatar`)."""

    __slots__ = ()
    missing = "no upload {name!r}: declare it with socket.allow_upload({name!r}, ...) in mount"

    def by_ref(self, ref: Any) -> UploadConfig | None:
        return next((config for config in self.values() if config.ref == ref), None)


def allow(socket: Socket, name: str, *, accept: Iterable[str] | str, max_entries: int = 1,
          max_file_size: int = 8_000_000, chunk_size: int = 64_000, chunk_timeout: int = 10_000,
          external: Callable[..., Any] | None = None, progress: Callable[..., Any] | None = None,
          auto_upload: bool = False, writer: Callable[..., Any] | None = None) -> UploadConfig:
    """Declare (or redeclare, keeping its ref) the upload `name` on `socket`."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"allow_upload: the name must be a non-empty string, got {name!r}")
    accepted = _accept(accept)
    for option, value in (("max_entries", max_entries), ("max_file_size", max_file_size),
                          ("chunk_size", chunk_size), ("chunk_timeout", chunk_timeout)):
        if type(value) is not int or value < 1:
            raise ValueError(f"allow_upload({name!r}): {option} must be a positive integer, got {value!r}")
    if external is not None and writer is not None:
        raise ValueError(f"allow_upload({name!r}): an external upload goes straight to its uploader; it takes no writer")
    uploads = _uploads(socket)
    old = uploads.get(name)
    if old is not None and old.entries:
        raise ValueError(f"allow_upload({name!r}) again while it has entries: consume or cancel them first")
    config = UploadConfig(name, old.ref if old is not None else random_id(), accepted, max_entries, max_file_size,
                          chunk_size, chunk_timeout, bool(auto_upload), external, progress, writer)
    uploads[name] = config
    return config


def disallow(socket: Socket, name: str) -> None:
    """Remove the upload `name`; an error while it has entries in progress."""
    uploads = _uploads(socket)
    config = uploads.get(name)
    if config is None:
        raise ValueError(f"disallow_upload: no upload {name!r}")
    if any(not entry.done for entry in config.entries):
        raise ValueError(f"disallow_upload({name!r}) while entries are in progress: cancel them first")
    for entry in list(config.entries):
        drop(socket, config, entry)
    del uploads[name]


def get(socket: Socket, name: str) -> UploadConfig:
    config = _uploads(socket).get(name)
    if config is None:
        raise ValueError(f"no upload {name!r}: declare it with socket.allow_upload({name!r}, accept=...) first")
    return config


def put_entries(socket: Socket, config: UploadConfig, client_entries: Any) -> None:
    """Add the entries the client selected (from a change event or a preflight), checked here:
    declared size, type, count. A sole entry is replaced by a new selection."""
    if not isinstance(client_entries, list) or not all(isinstance(e, dict) for e in client_entries):
        raise ValueError(f"upload {config.ref!r}: entries must be a list of objects")
    new = [e for e in client_entries if config.entry(str(e.get("ref"))) is None]
    if not new:
        return
    config.errors = [error for error in config.errors if error[1] != TOO_MANY_FILES]
    if config.max_entries == 1 and len(new) == 1:
        for entry in list(config.entries):
            drop(socket, config, entry)
    for client in new:  # all are listed, even past max_entries: the page shows them to cancel
        entry = _entry(config, client)
        config.entries.append(entry)
        for error in _validate(config, entry):
            reject(socket, config, entry, error)
    if _too_many(config):
        config.errors.append((config.ref, TOO_MANY_FILES))
    touch(socket)


def _too_many(config: UploadConfig) -> bool:
    return len(config.entries) > config.max_entries


def drop(socket: Socket, config: UploadConfig, entry: UploadEntry) -> None:
    """Forget an entry (cancelled or consumed): its channel ends, its stored bytes go."""
    channel = socket.upload_channels.pop(entry.uuid, None)
    if channel is not None:
        channel.end("cancel")
    if entry in config.entries:
        config.entries.remove(entry)
    # its own errors go, and so does too_many_files once there is room again
    room = not _too_many(config)
    config.errors = [error for error in config.errors if error[0] != entry.ref and not (room and error[1] == TOO_MANY_FILES)]
    touch(socket)


def reject(socket: Socket, config: UploadConfig, entry: UploadEntry, error: Any) -> None:
    """Mark an entry invalid with `error`; it stays, so the page can show why."""
    entry.valid = False
    config.errors.append((entry.ref, error))
    touch(socket)


def drop_all(socket: Socket) -> None:
    """A component left the page: every entry of its uploads goes, with its stored bytes."""
    for config in socket.assigns.get("uploads", {}).values():
        for entry in list(config.entries):
            drop(socket, config, entry)


def cancel_in_progress(socket: Socket) -> None:
    """The connection dropped: entries not yet complete go (the client starts them again);
    completed ones stay for the view to consume."""
    for config in socket.assigns.get("uploads", {}).values():
        for entry in [entry for entry in config.entries if not entry.done]:
            drop(socket, config, entry)


def touch(socket: Socket) -> None:
    """The uploads changed: re-render what reads them."""
    socket.changed.add("uploads")


def preflight(socket: Socket, config: UploadConfig, client_entries: Any, sign: Callable[[UploadEntry], str]) -> dict[str, Any]:
    """The `allow_upload` reply: a token (or an external uploader's meta) per valid entry,
    errors per invalid one, or `error` when the whole upload cannot go ahead."""
    put_entries(socket, config, client_entries)
    refs = {str(e.get("ref")) for e in client_entries}
    # an auto upload goes ahead with the first max_entries; the rest wait, listed, to be cancelled
    entries = [entry for entry in config.entries[:config.max_entries] if entry.ref in refs]
    if not config.auto_upload and (
        any(owner == config.ref for owner, _ in config.errors) or any(not entry.valid for entry in entries)
    ):
        return {"ref": config.ref, "error": [list(error) for error in config.errors]}
    granted: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for entry in entries:
        if not entry.valid:
            errors[entry.ref] = errors_of(config, entry)
            continue
        if config.external is None:
            granted[entry.ref] = sign(entry)
        else:
            outcome = config.external(entry, socket)
            status, meta = _pair(outcome, "external")
            if status != "ok":
                reject(socket, config, entry, meta)
                errors[entry.ref] = [meta]
                continue
            if not isinstance(meta, dict) or "uploader" not in meta:
                raise ValueError(f"upload {config.name!r}: external must return ('ok', meta) with meta['uploader'] "
                                 f"naming a client uploader, got {outcome!r}")
            entry.client_meta = meta
            granted[entry.ref] = meta
        entry.preflighted = True
    touch(socket)
    if config.external is not None and not config.auto_upload and errors:
        return {"ref": config.ref, "error": [[ref, reasons[0]] for ref, reasons in errors.items()]}
    response: dict[str, Any] = {"ref": config.ref, "config": config.client_config(), "entries": granted}
    if errors:
        response["errors"] = errors
    return response


def errors_of(config: UploadConfig, entry: UploadEntry | None = None) -> list[Any]:
    """`upload_errors`: the config's own errors (e.g. too_many_files), or those of `entry`."""
    ref = config.ref if entry is None else entry.ref
    return [error for owner, error in config.errors if owner == ref]


def uploaded(config: UploadConfig) -> tuple[list[UploadEntry], list[UploadEntry]]:
    """(completed, in progress) entries of a config."""
    return ([e for e in config.entries if e.done], [e for e in config.entries if not e.done and e.valid])


def consume(socket: Socket, config: UploadConfig, entries: list[UploadEntry], fn: Callable[[Any, UploadEntry], Any]) -> list[Any]:
    """Hand each completed entry's meta to `fn(meta, entry)`; ("ok", x) drops the entry (and
    its temp file), ("postpone", x) keeps it for later. Returns the x's."""
    results = []
    for entry in entries:
        if not entry.done:
            raise ValueError(f"cannot consume upload entry {entry.client_name!r} of {config.name!r}: "
                             f"it is still in progress ({entry.progress}%); consume completed entries")
        channel = socket.upload_channels.get(entry.uuid)
        meta = entry.client_meta if config.external is not None else (channel.meta() if channel is not None else None)
        if meta is None:
            raise ValueError(f"upload entry {entry.client_name!r} of {config.name!r} has no stored file (already consumed?)")
        outcome = fn(meta, entry)
        status, value = _pair(outcome, "consume")
        if status not in ("ok", "postpone"):
            raise ValueError(f"a consume function returns ('ok', value) or ('postpone', value), got {outcome!r}")
        results.append(value)
        if status == "ok":
            drop(socket, config, entry)
    return results


def update_progress(socket: Socket, config: UploadConfig, entry: UploadEntry, progress: Any) -> bool:
    """A progress report from the client; 100 counts only once the server holds every byte
    (channel uploads). Returns whether the config's `progress` callback should run."""
    if isinstance(progress, dict):  # {"error": reason}: the client gave up on this entry
        if config.external is not None:
            reject(socket, config, entry, EXTERNAL_CLIENT_FAILURE)
        return False
    if type(progress) is not int or not 0 <= progress <= 100:
        raise ValueError(f"upload progress must be an integer 0-100 or {{'error': reason}}, got {progress!r}")
    if progress == 100 and config.external is None:
        channel = socket.upload_channels.get(entry.uuid)
        if channel is None or not channel.complete:
            raise ValueError(f"entry {entry.ref!r} reported done before the server received all of its bytes")
    if progress <= entry.progress and not (progress == 100 and not entry.done):
        return False
    entry.progress = progress
    entry.done = progress == 100
    touch(socket)
    return True


def _uploads(socket: Socket) -> Uploads:
    uploads = socket.assigns.get("uploads")
    if uploads is None:
        uploads = socket.assigns["uploads"] = Uploads()
        touch(socket)
    return uploads


def _accept(accept: Iterable[str] | str) -> tuple[str, ...] | str:
    if accept == "any":
        return "any"
    if isinstance(accept, str) or not accept:
        raise ValueError(f"allow_upload: accept must be 'any' or a list such as ['.jpg', '.png', 'image/*'], got {accept!r}")
    accepted = tuple(accept)
    for item in accepted:
        if not isinstance(item, str) or not (item.startswith(".") or "/" in item):
            raise ValueError(f"allow_upload: accept entries are extensions ('.pdf') or MIME types ('image/*'), got {item!r}")
    return accepted


def _entry(config: UploadConfig, client: dict[str, Any]) -> UploadEntry:
    size = client.get("size")
    if type(size) is not int or size < 0:
        raise ValueError(f"upload {config.ref!r}: entry size must be a non-negative integer, got {size!r}")
    modified = client.get("last_modified")
    return UploadEntry(
        ref=str(client.get("ref")), upload_ref=config.ref, upload_config=config.name,
        client_name=str(client.get("name") or ""), client_size=size, client_type=str(client.get("type") or ""),
        client_relative_path=str(client.get("relative_path") or ""),
        client_last_modified=modified if type(modified) is int else None, client_meta=client.get("meta"),
    )


def _validate(config: UploadConfig, entry: UploadEntry) -> list[str]:
    errors = []
    if entry.client_size > config.max_file_size:
        errors.append(TOO_LARGE)
    if not _accepted(config.accept, entry.client_name):
        errors.append(NOT_ACCEPTED)
    return errors


def _accepted(accept: tuple[str, ...] | str, filename: str) -> bool:
    """By the file name, as the server sees it: its extension, or the MIME type that extension
    has (so '.jpg' also takes '.jpeg', and 'image/*' any image). The client's type is not trusted."""
    if accept == "any":
        return True
    extension = os.path.splitext(filename)[1].lower()
    mime = mimetypes.guess_type("x" + extension)[0] if extension else None
    for item in accept:
        item = item.lower()
        if item.startswith("."):
            if item == extension or (mime is not None and mimetypes.guess_type("x" + item)[0] == mime):
                return True
        elif mime is not None and (item == mime or (item.endswith("/*") and mime.startswith(item[:-1]))):
            return True
    return False


def _pair(outcome: Any, what: str) -> tuple[Any, Any]:
    if isinstance(outcome, tuple) and len(outcome) == 2:
        return outcome
    raise ValueError(f"{what} function must return a (status, value) pair such as ('ok', value), got {outcome!r}")
