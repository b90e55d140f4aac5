"""List and show pages: push_patch changes the list's sort in the URL, push_navigate opens an item."""

from liveui import LiveView

ITEMS = [
    {"id": 1, "name": "Anvil", "price": 120},
    {"id": 2, "name": "Bellows", "price": 45},
    {"id": 3, "name": "Chisel", "price": 12},
    {"id": 4, "name": "Drill", "price": 80},
]
SORTS = {"name": lambda item: item["name"], "price": lambda item: item["price"]}


class ItemList(LiveView):
    template = "items.html.j2"

    def mount(self, params, session, socket):
        socket.assign(page_title="Items")

    def handle_params(self, params, uri, socket):
        sort = params.get("sort") if params.get("sort") in SORTS else "name"
        socket.assign(sort=sort, items=sorted(ITEMS, key=SORTS[sort]))

    def handle_event(self, event, params, socket):
        if event == "sort":
            socket.push_patch(f"/items?sort={params['by']}")
        elif event == "open":
            socket.push_navigate(f"/items/{params['id']}")


class ItemShow(LiveView):
    template = "item.html.j2"

    def mount(self, params, session, socket):
        item = next((i for i in ITEMS if str(i["id"]) == params["id"]), None)
        if item is None:
            socket.put_flash("error", f"There is no item {params['id']}.")
            socket.push_navigate("/items")
            return
        socket.assign(item=item, page_title=item["name"])

    def handle_event(self, event, params, socket):
        if event == "buy":
            socket.put_flash("info", f"You bought a {socket.assigns.item['name']}.")
            socket.push_navigate("/items")
