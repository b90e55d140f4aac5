// Jupyter entry for liveui: an anywidget ES module that runs the official Phoenix LiveView
// client (unmodified) inside a notebook cell. The kernel's widget carries Phoenix frames in
// custom messages; this module gives the client a WebSocket-shaped transport over them.
// Nothing a view does reloads the notebook page or changes its URL: navigation stays in the cell.
import {Socket} from "phoenix"
import {LiveSocket} from "phoenix_live_view"
import "phoenix_html"  // data-confirm and data-method links (official, unmodified)
import {commTransport, newId} from "./comm_transport.js"
import {keepInCell} from "./cell_navigation.js"
import {staticHTML, watchSnapshots} from "./cell_snapshot.js"

// The running cells, by the id of the container in the output's dead render (a set: one output
// displayed twice is two cells). A frontend renders an output again when the kernel updates its
// text/html (JupyterLab drops the old element and asks for a new view of the same model): a cell
// whose element left the page moves into the new element, keeping its state, rather than joining
// again.
const cells = new Map()

const RENDER_TIMEOUT_MS = 10000

function render({model, el}) {
  const host = document.createElement("div")
  host.className = "liveui-cell"
  suppressNotebookShortcuts(host)
  host.innerHTML = model.get("html")
  const container = host.querySelector("[data-phx-session]")
  if (!container) {  // a dead render without a live view: a notice or a link
    el.appendChild(host)
    return () => {}
  }
  const shown = cells.get(container.id) || new Set()
  const left = [...shown].find((cell) => !cell.moving && !cell.el.isConnected)
  if (left) return adopt(left, el)
  if (!shown.size) {
    el.appendChild(host)
    return owned(start(model, el, host, container, container.id), el)
  }
  // The page shows this output already. The client needs element ids unique in the page, so
  // this copy is a view of its own, joined with a dead render of its own; meanwhile it shows
  // the output's copy without its ids and tokens.
  host.innerHTML = staticHTML(host)
  host.firstElementChild?.removeAttribute("id")
  el.appendChild(host)
  let cell = null
  let ended = false
  freshRender(model).then((html) => {
    if (ended) return
    host.innerHTML = html
    const fresh = host.querySelector("[data-phx-session]")
    if (fresh) cell = start(model, el, host, fresh, container.id)
  }, () => host.firstElementChild?.classList.add("phx-client-error"))
  return () => {
    ended = true
    if (cell) owned(cell, el)()
  }
}

// Keys pressed inside the view are the view's: JupyterLab's shortcuts would take arrows (select
// another cell) and Enter (edit mode) from a focused range input or text field. Lumino skips its
// shortcuts for an event whose target (or an ancestor, up to the first selector match) carries
// this attribute, and a selector such as "command mode, any focused element" matches the target
// itself: so the attribute goes on the target, just before the event reaches the notebook. The
// view's own key bindings (phx-keydown, on window) still get the event.
const SUPPRESS = "data-lm-suppress-shortcuts"

function suppressNotebookShortcuts(host) {
  host.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && !event.target.hasAttribute(SUPPRESS)) event.target.setAttribute(SUPPRESS, "")
    if (event.key === "Enter" && !event.isComposing && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      submitImplicitly(event)
    }
  }, true)
}

// Enter in a text field submits its form, as in a page; inside JupyterLab's output the browser's
// own implicit submission does not happen, so it is done here (the key's default is cancelled:
// the form is submitted once). The rules are the browser's: the form's first submit button is
// clicked (nothing if it is disabled); without one, the form is submitted when it has a single
// text field.
const TEXT_FIELDS = ["text", "search", "url", "tel", "email", "password", "number", "date", "month", "week", "time",
  "datetime-local"]

function submitImplicitly(event) {
  const field = event.target
  if (!(field instanceof HTMLInputElement) || !field.form || !TEXT_FIELDS.includes(field.type)) return
  const form = field.form
  const controls = [...form.elements]
  const button = controls.find((el) => (el instanceof HTMLButtonElement || el instanceof HTMLInputElement) &&
    ["submit", "image"].includes(el.type))
  event.preventDefault()
  if (button) {
    if (!button.disabled) form.requestSubmit(button)
  } else if (controls.filter((el) => el instanceof HTMLInputElement && TEXT_FIELDS.includes(el.type)).length === 1) {
    form.requestSubmit()
  }
}

// Starts the client on `container`, a view in `host`; the cell is filed under `key`.
function start(model, el, host, container, key) {
  const known = staticHTML(host)  // the kernel's copy: the dead render

  const comm = commTransport(model)
  const liveSocket = new LiveSocket("/live", Socket, {
    transport: comm.Transport,
    hooks: window.liveuiHooks || {},  // client hooks, as on a page: define them before the cell runs
    heartbeatIntervalMs: model.get("heartbeat") * 1000,  // the kernel ends a connection that misses some
    reconnectAfterMs: (tries) => [100, 500, 1000, 2000][tries - 1] || 5000,
  })
  keepInCell(liveSocket, host, model.get("url"))
  const view = liveSocket.newRootView(container)
  view.setHref(new URL(model.get("url"), window.location.href).href)
  liveSocket.main = view
  view.join()
  liveSocket.bindTopLevelEvents()
  liveSocket.socket.connect()
  el.liveSocket = liveSocket  // for debugging in the browser console

  const stopSnapshots = watchSnapshots(host, known, (html) => {
    try {
      model.send({static: html})
    } catch {}  // the kernel is gone: it has no output to update
  })
  const cell = {el, host, liveSocket, focused: null, moving: false}
  const running = cells.get(key) || new Set()
  cells.set(key, running.add(cell))
  cell.end = () => {
    running.delete(cell)
    if (!running.size) cells.delete(key)
    stopSnapshots()
    liveSocket.destroyAllViews()
    liveSocket.disconnect()
    comm.dispose()
  }
  trackFocus(cell)
  return cell
}

// A new dead render of the output's view, from the kernel: {render: id} -> {rendered: id, html}.
function freshRender(model) {
  const id = newId()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(reject, new Error("the kernel did not answer")), RENDER_TIMEOUT_MS)
    const listener = (msg) => { if (msg && msg.rendered === id) done(resolve, msg.html) }
    const done = (settle, value) => {
      clearTimeout(timer)
      model.off("msg:custom", listener)
      settle(value)
    }
    model.on("msg:custom", listener)
    try {
      model.send({render: id})
    } catch (error) {
      done(reject, error)
    }
  })
}

// The cleanup anywidget runs when a view is removed: only the element that holds the cell ends it.
function owned(cell, el) {
  return () => { if (cell.el === el) cell.end() }
}

// Moves a cell into `el`, which the frontend attaches to the page after this render; until then
// the cell is `moving` (another render of the same output must not take it), then it gets back
// the focus it had.
function adopt(cell, el) {
  el.appendChild(cell.host)
  cell.el = el
  cell.moving = true
  el.liveSocket = cell.liveSocket
  const focused = cell.focused  // before the focusout of the old element can forget it
  whenAttached(el, (attached) => {
    cell.moving = false
    if (attached && focused && (!document.activeElement || document.activeElement === document.body)) {
      focused.focus({preventScroll: true})
    }
  })
  return owned(cell, el)
}

// Remembers the focused element of the cell, which the move to a new element would otherwise lose
// (an element taken out of the page loses focus without a reliable event).
function trackFocus(cell) {
  cell.host.addEventListener("focusin", (e) => { cell.focused = e.target })
  cell.host.addEventListener("focusout", () => setTimeout(() => {
    if (cell.el.isConnected && !cell.host.contains(document.activeElement)) cell.focused = null
  }, 0))
}

// then(attached): once `el` is in the page, or after `frames` animation frames without it
function whenAttached(el, then, frames = 120) {
  if (el.isConnected || frames === 0) then(el.isConnected)
  else requestAnimationFrame(() => whenAttached(el, then, frames - 1))
}

export default {render}
