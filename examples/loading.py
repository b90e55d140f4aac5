"""Async work: an assign loaded in the background (assign_async) shown with async_result, and a
job started with start_async, cancellable, whose outcome arrives in handle_async."""

import asyncio
import time

from liveui import LiveView


def fetch_weather(city, fail):
    """Slow, blocking work: runs in liveui's thread pool, never in the event loop."""
    time.sleep(0.4)
    if fail:
        raise ConnectionError(f"the weather service for {city} did not answer")
    return {"weather": {"city": city, "sky": "sunny", "celsius": 21}}


class Loading(LiveView):
    template = "loading.html.j2"

    def mount(self, params, session, socket):
        socket.assign(job="idle", page_title="Async")
        socket.assign_async("weather", lambda: fetch_weather("Lisbon", fail=False))

    def handle_event(self, event, params, socket):
        if event == "reload":
            fail = "fail" in params
            socket.assign_async("weather", lambda: fetch_weather("Lisbon", fail=fail), reset=True)
        elif event == "start":
            socket.assign(job="running")
            socket.start_async("job", self.job)
        elif event == "cancel":
            socket.cancel_async("job", "cancelled by you")

    async def job(self):
        await asyncio.sleep(0.5)  # a coroutine: runs as a task on the view's loop
        return "42 widgets counted"

    def handle_async(self, name, result, socket):
        kind, value = result
        socket.assign(job=f"done: {value}" if kind == "ok" else f"stopped: {value}")
