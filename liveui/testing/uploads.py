"""Uploads in the test client: `view.file_input(form, name, files)` selects files the way the
official client does, and `render_upload(name, percent)` sends them over the real protocol
(change event, allow_upload preflight, `lvu:` join, binary chunks, progress), docs/protocol.md §6."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from .events import binding, form_value, target_cid

if TYPE_CHECKING:
    from .client import View

_refs = itertools.count()  # entry refs are unique per page load in the client: per process here


class Upload:
    """Files selected in one upload input of a form under test."""

    def __init__(self, view: View, form_selector: str, name: str, files: list[dict[str, Any]]) -> None:
        self.view, self.form_selector, self.name = view, form_selector, name
        self.files: dict[str, dict[str, Any]] = {}
        for spec in files:
            content = spec.get("content", b"")
            if isinstance(content, str):
                content = content.encode()
            self.files[spec["name"]] = {
                "ref": str(next(_refs)), "name": spec["name"], "content": content,
                "size": spec.get("size", len(content)), "type": spec.get("type", ""),
                "relative_path": spec.get("relative_path", ""), "last_modified": spec.get("last_modified", 0),
            }
        self.errors: Any = None  # the preflight reply's "error" or "errors", if any
        self.ref = ""
        self._selected = False
        self._preflight: dict[str, Any] | None = None
        self._channels: dict[str, tuple[str, int]] = {}  # entry ref -> (topic join ref, bytes sent)

    def _input(self) -> tuple[Any, str, int | None]:
        """The form, the input's upload ref, and the cid events go to."""
        document = self.view.document()
        form = document.one(self.form_selector)
        fields = [f for f in form.select(f'input[type="file"][name="{self.name}"]') if f.get("data-phx-upload-ref")]
        if not fields:
            raise AssertionError(f"no live_file_input named {self.name!r} in {self.form_selector!r}")
        return form, fields[0].get("data-phx-upload-ref"), target_cid(form, document)

    def _entries(self, only: list[str] | None = None) -> list[dict[str, Any]]:
        return [{k: v for k, v in spec.items() if k != "content"} for name, spec in self.files.items()
                if only is None or name in only]

    async def select(self) -> str:
        """The change event the client sends when files are picked (its `uploads` key)."""
        form, self.ref, cid = self._input()
        self._selected = True
        events = [push.event for push in binding(form, "change")]
        if not events:
            return self.view.render()
        encoded, meta = form_value(form, {}, target=self.name, kind="change")
        html = ""
        for event in events:
            html = await self.view.push_event({"type": "form", "event": event, "value": encoded, "meta": meta,
                                               "uploads": {self.ref: self._entries()}}, cid)
        return html

    async def preflight(self) -> dict[str, Any]:
        """The `allow_upload` push; its reply holds a token per accepted entry, or errors."""
        if not self._selected:
            await self.select()
        _, _, cid = self._input()
        payload: dict[str, Any] = {"ref": self.ref, "entries": self._entries()}
        if cid is not None:
            payload["cid"] = cid
        reply = await self.view.client.request(self.view, "allow_upload", payload)
        self.view._apply_reply(reply)
        self._preflight = reply["response"]
        self.errors = self._preflight.get("error") or self._preflight.get("errors")
        return self._preflight

    async def render_upload(self, name: str, percent: int = 100) -> str:
        """Upload the first `percent`% of the file `name` and report that progress; returns the
        HTML after the reply. A file the server refused is not sent (see `errors`)."""
        spec = self.files[name]
        if self._preflight is None:
            await self.preflight()
        token = (self._preflight or {}).get("entries", {}).get(spec["ref"])
        if token is None:
            return self.view.render()
        client = self.view.client
        topic = f"lvu:{spec['ref']}"
        if spec["ref"] not in self._channels:
            join_ref = client.wire.next_ref()
            reply = await client.call(topic, join_ref, "phx_join", {"token": token}, ref=join_ref)
            if reply.get("status") != "ok":
                raise AssertionError(f"upload join of {name!r} refused: {reply.get('response')}")
            self._channels[spec["ref"]] = (join_ref, 0)
        join_ref, sent = self._channels[spec["ref"]]
        chunk_size = self._preflight["config"]["chunk_size"]  # type: ignore[index]
        content = spec["content"]
        goal = len(content) * percent // 100
        view_ref = memoryview(content)
        while sent < goal:
            chunk = bytes(view_ref[sent:min(sent + chunk_size, goal)])
            reply = await client.call(topic, join_ref, "chunk", chunk)
            if reply.get("status") != "ok":
                self.errors = reply.get("response")
                return await self._report(spec, {"error": reply.get("response", {}).get("reason")})
            sent += len(chunk)
            self._channels[spec["ref"]] = (join_ref, sent)
        return await self._report(spec, percent)

    async def _report(self, spec: dict[str, Any], progress: Any) -> str:
        _, _, cid = self._input()
        payload: dict[str, Any] = {"event": None, "ref": self.ref, "entry_ref": spec["ref"], "progress": progress}
        if cid is not None:
            payload["cid"] = cid
        reply = await self.view.client.request(self.view, "progress", payload)
        self.view._apply_reply(reply)
        return self.view.render()

