// Desktop entry for liveui: a WebSocket-shaped class over pywebview's bridge, given to the
// phoenix Socket as `transport`, and a navigation guard so that no page load leaves the window.
// Load after liveui.js; exposes `window.liveuiDesktop`.
//
// JS -> Python: `pywebview.api.send(id, frames)`, one call in flight per socket (the bridge runs
// each call on its own Python thread, so waiting keeps frames in order); frames sent meanwhile
// travel together in the next call. Python -> JS: `liveuiDesktop.deliver(id, frames)`, evaluated
// in the window. A frame is a string (text) or {b: base64} (binary); {close: code} ends a socket.
//
// Loading another page replaces this document: pywebview answers every call into the page that
// made it, so the page first waits until no call is in flight, then asks for the load through
// pywebview's shared state (`liveuiLoad`), which has no answer.

const sockets = new Map()
let inFlight = 0
let leaving = false
let whenIdle = []

function bridge() {
  const api = window.pywebview && window.pywebview.api
  if (api && typeof api.send === "function") return Promise.resolve(api)
  return new Promise((resolve) => {
    window.addEventListener("pywebviewready", () => resolve(window.pywebview.api), {once: true})
  })
}

// `api[method](...args)`, counted while in flight; nothing once the page is being left.
function call(method, ...args) {
  if (leaving) return Promise.resolve(null)
  inFlight++
  return bridge()
    .then((api) => api[method](...args))
    .finally(() => {
      inFlight--
      if (inFlight === 0) whenIdle.splice(0).forEach((resolve) => resolve())
    })
}

// Replace this page by one of the app's, rendered by Python. A reload names the page's main
// view (`view`): the new page keeps its id, so its join finds the view still running.
function loadPage(url, flash, view = null) {
  if (leaving) return
  leaving = true
  const idle = inFlight === 0 ? Promise.resolve() : new Promise((resolve) => whenIdle.push(resolve))
  idle.then(bridge).then(() => {
    window.pywebview.state.liveuiLoad = {url, flash, view, nonce: `${Date.now()}-${Math.random()}`}
  })
}

function toBase64(data) {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)
  let text = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000))
  }
  return btoa(text)
}

function fromBase64(text) {
  const raw = atob(text)
  const bytes = new Uint8Array(raw.length)
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  return bytes.buffer
}

// An ordered, batched stream of calls `api[method](id, items)`: at most one in flight.
class Outbox {
  constructor(method, id) {
    this.method = method
    this.id = id
    this.pending = []
    this.busy = false
  }

  push(item) {
    this.pending.push(item)
    if (!this.busy) this.flush()
  }

  flush() {
    if (this.pending.length === 0) {
      this.busy = false
      return
    }
    this.busy = true
    const items = this.pending
    this.pending = []
    call(this.method, this.id, items)
      .catch((error) => console.error("liveui desktop bridge:", error))
      .then(() => this.flush())
  }
}

let counter = 0
const page = Math.random().toString(36).slice(2, 10) // this document: a reload is another page

// `<page>.<socket>`: the bridge knows that the sockets of an earlier page of the window are gone.
function newId() {
  return `${page}.ws${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`
}

// new DesktopSocket(url, id?): the phoenix Socket passes only the url; `id` names the
// connection on the Python side (a fresh one when omitted).
class DesktopSocket {
  constructor(url, id = newId()) {
    this.url = url
    this.id = id
    this.readyState = DesktopSocket.CONNECTING
    this.binaryType = "arraybuffer"
    this.outbox = new Outbox("send", this.id)
    this.onopen = this.onmessage = this.onclose = this.onerror = null
    sockets.set(this.id, this)
    call("open", this.id, window.location.href)
      .then(() => {
        if (this.readyState !== DesktopSocket.CONNECTING) return
        this.readyState = DesktopSocket.OPEN
        this.onopen && this.onopen({type: "open"})
      })
      .catch((error) => this.closed(1011, String(error)))
  }

  send(data) {
    if (this.readyState !== DesktopSocket.OPEN) throw new Error("DesktopSocket is not open")
    this.outbox.push(typeof data === "string" ? data : {b: toBase64(data)})
  }

  close(code = 1000, reason = "") {
    if (this.readyState === DesktopSocket.CLOSED) return
    call("close", this.id)
    this.closed(code, reason)
  }

  closed(code, reason) {
    if (this.readyState === DesktopSocket.CLOSED) return
    this.readyState = DesktopSocket.CLOSED
    sockets.delete(this.id)
    this.onclose && this.onclose({type: "close", code, reason, wasClean: code === 1000})
  }

  receive(frame) {
    if (this.readyState !== DesktopSocket.OPEN) return
    if (typeof frame === "string") {
      this.onmessage && this.onmessage({data: frame})
    } else if (frame.b !== undefined) {
      this.onmessage && this.onmessage({data: fromBase64(frame.b)})
    } else if (frame.close !== undefined) {
      this.closed(frame.close, frame.reason || "")
    }
  }
}
DesktopSocket.CONNECTING = 0
DesktopSocket.OPEN = 1
DesktopSocket.CLOSING = 2
DesktopSocket.CLOSED = 3

// Python -> JS: frames for socket `id`. A handler that throws does not cost the frames after
// it (as with a WebSocket, each message is its own task); its error is reported as uncaught.
function deliver(id, frames) {
  const socket = sockets.get(id)
  if (!socket) return
  for (const frame of frames) {
    try {
      socket.receive(frame)
    } catch (error) {
      setTimeout(() => {
        throw error
      })
    }
  }
}

function takeFlash() {
  const found = document.cookie.match(/(?:^|;\s*)__phoenix_flash__=([^;]*)/)
  if (!found) return null
  document.cookie = "__phoenix_flash__=; max-age=-1; path=/"
  return found[1]
}

// Page loads never leave the window: one of this app's URLs is rendered by Python into the
// window (a reload of the page keeps its views), any other URL opens in the system browser.
function guardNavigation() {
  if (!window.navigation) return
  window.navigation.addEventListener("navigate", (event) => {
    if (event.destination.sameDocument || !event.cancelable) return
    event.preventDefault()
    const to = new URL(event.destination.url, window.location.href)
    if (to.origin === window.location.origin) {
      const main = event.navigationType === "reload" ? document.querySelector("[data-phx-main]") : null
      loadPage(to.href, takeFlash(), main && main.id)
    } else {
      // the page stays; if the client let its views go for this redirect, it is loaded afresh
      call("open_external", to.href).then(() => {
        if (window.liveSocket && !window.liveSocket.isConnected()) loadPage(window.location.href, null)
      })
    }
  })
}

// A window's page is HTML loaded at a base URL, and QtWebEngine gives back/forward to its
// entries that base URL instead of the one pushState gave. Each entry's state keeps its URL
// and the URL is put back before the client's popstate listener reads `location`.
function keepHistoryUrls() {
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name].bind(history)
    history[name] = (state, title, url) => {
      const href = new URL(url == null ? window.location.href : url, window.location.href).href
      const kept = state && typeof state === "object" ? {...state, liveuiHref: href} : state
      return original(kept, title, url)
    }
  }
  window.addEventListener("popstate", (event) => {
    const href = event.state && event.state.liveuiHref
    if (href && href !== window.location.href) history.replaceState(event.state, "", href)
  }, {capture: true})
}

// The window's title follows the page's (`page_title`), through pywebview's shared state.
function followTitle() {
  let shown = null
  const report = () => {
    if (document.title === shown || leaving) return
    shown = document.title
    window.pywebview.state.liveuiTitle = shown
  }
  bridge().then(() => {
    report()
    new MutationObserver(report).observe(document.head, {subtree: true, childList: true, characterData: true})
  })
}

// Connects the page's live views over the bridge; options as `liveui.connect`.
function connect(options = {}) {
  guardNavigation()
  keepHistoryUrls()
  followTitle()
  return window.liveui.connect({...options, transport: DesktopSocket})
}

window.liveuiDesktop = {DesktopSocket, Outbox, deliver, connect, loadPage}

function autoConnect() {
  if (window.liveuiDesktopManualConnect === true || window.liveSocket) return
  if (!document.querySelector("[data-phx-main]")) return
  connect()
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", autoConnect, {once: true})
} else {
  autoConnect()
}
