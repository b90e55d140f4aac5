"""Live components: a cart whose line items keep their own state, plus function components
from a small library (core_components.html.j2) and an assign loaded in the background."""

from liveui import AsyncResult, LiveComponent, LiveView

PRODUCTS = [
    {"id": 1, "name": "Anvil", "price": 120},
    {"id": 2, "name": "Bellows", "price": 45},
    {"id": 3, "name": "Chisel", "price": 12},
    {"id": 4, "name": "Drill", "price": 80},
]


class LineItem(LiveComponent):
    """One line of the cart: its quantity lives here; the page hears of changes by message."""

    template = """<li id="line-{{ id }}" class="line">
  <span class="name">{{ product.name }}</span>{% if sale %} <span class="badge badge-sale">{{ sale }}</span>{% endif %}
  <button class="dec" phx-click="dec" phx-target="{{ myself }}">-</button>
  <span class="qty">{{ qty }}</span>
  <button class="inc" phx-click="inc" phx-target="{{ myself }}">+</button>
  <button class="remove" phx-click="remove" phx-target="{{ myself }}">remove</button>
</li>"""

    def mount(self, socket):
        socket.assign(qty=1, sale="")

    def handle_event(self, event, params, socket):
        qty = socket.assigns.qty + {"inc": 1, "dec": -1}.get(event, 0)
        if event == "remove" or qty == 0:
            socket.ref.send(("removed", socket.assigns.id))  # the page's handle_info
            return
        socket.assign(qty=qty)
        socket.ref.send(("quantity", socket.assigns.id, qty))


class Cart(LiveView):
    template = "cart.html.j2"

    def mount(self, params, session, socket):
        socket.assign(lines=list(PRODUCTS), quantities={p["id"]: 1 for p in PRODUCTS}, picks=AsyncResult(),
                      page_title="Cart")
        summarize(socket)
        if socket.connected:
            socket.ref.send_after(("picks", True), 0.3)  # "slow" work that fills an assign later

    def handle_event(self, event, params, socket):
        if event == "restore":
            removed = [p for p in PRODUCTS if p not in socket.assigns["lines"]]
            socket.assign(lines=[*socket.assigns["lines"], *removed],
                          quantities={**socket.assigns.quantities, **{p["id"]: 1 for p in removed}})
        elif event == "reset":
            for line in socket.assigns["lines"]:
                socket.send_update(LineItem, id=line["id"], qty=1)
            socket.assign(quantities={line["id"]: 1 for line in socket.assigns["lines"]})
        elif event == "sale" and socket.assigns["lines"]:
            first = socket.assigns["lines"][0]["id"]
            socket.send_update(LineItem, id=first, sale="sale soon")
            socket.put_private("sale", (first, socket.send_update_after(LineItem, 1500, id=first, sale="-10%")))
        elif event == "cancel-sale" and socket.private.get("sale"):
            first, timer = socket.private.pop("sale")
            timer.cancel()
            socket.send_update(LineItem, id=first, sale="")
        elif event == "reload":  # "fail" starts over (no last result to show) and fails
            fail = params.get("fail") is not None
            socket.assign(picks=AsyncResult() if fail else socket.assigns.picks.reloading())
            socket.ref.send_after(("picks", not fail), 0.3)

        summarize(socket)

    def handle_info(self, message, socket):
        kind, *rest = message
        if kind == "quantity":
            line_id, qty = rest
            socket.assign(quantities={**socket.assigns.quantities, line_id: qty})
        elif kind == "removed":
            socket.assign(lines=[p for p in socket.assigns["lines"] if p["id"] != rest[0]])
        elif kind == "picks":
            picks = socket.assigns.picks
            socket.assign(picks=picks.succeeded(["Tongs", "Hammer"]) if rest[0] else picks.errored("the shop is closed"))
        summarize(socket)


def summarize(socket):
    """The order summary the table shows: one row per line, from the quantities the lines reported."""
    quantities = socket.assigns.quantities
    rows = [{"name": p["name"], "qty": quantities[p["id"]], "total": quantities[p["id"]] * p["price"]}
            for p in socket.assigns["lines"]]
    socket.assign(summary=rows, total=sum(row["total"] for row in rows))
