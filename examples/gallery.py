"""The gallery app: every demo page on one liveui App."""

import os

import liveui

from .cart import Cart
from .chat import Chat
from .counter import Counter
from .feed import Feed
from .dashboard import Dashboard
from .form import SignupForm
from .hooks import HookDemo
from .index import Index
from .items import ItemList, ItemShow
from .loading import Loading
from .songs import Songs
from .todo import Todos
from .uploads import Uploads

HERE = os.path.dirname(os.path.abspath(__file__))


def make_app(secret_key: str | None = None) -> liveui.App:
    """A fresh gallery app (tests build their own; the demo command serves one)."""
    app = liveui.App(
        secret_key=secret_key,
        title="liveui demo",
        head='<link rel="stylesheet" href="/assets/gallery.css"><script src="/assets/hooks.js"></script>',
    )
    app.static("/assets", os.path.join(HERE, "assets"))
    app.live("/", Index)
    app.live("/counter", Counter)
    app.live("/form", SignupForm)
    app.live("/todo", Todos)
    app.live("/items", ItemList)
    app.live("/items/{id}", ItemShow)
    app.live("/hooks", HookDemo)
    app.live("/dashboard", Dashboard)
    app.live("/cart", Cart)
    app.live("/songs", Songs)
    app.live("/feed", Feed)
    app.live("/async", Loading)
    app.live("/uploads", Uploads)
    app.live("/chat", Chat)
    return app
