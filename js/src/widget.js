// Jupyter entry for liveui: an anywidget ES module that runs the official Phoenix LiveView
// client (unmodified) inside a notebook cell. The kernel's widget carries Phoenix frames in
// custom messages; this module gives the client a WebSocket-shaped transport over them.
// Nothing a view does reloads the notebook page or changes its URL: navigation stays in the cell.
import {Socket} from "phoenix"
import {LiveSocket} from "phoenix_live_view"
import {commTransport} from "./comm_transport.js"
import {keepInCell} from "./cell_navigation.js"
import {staticHTML, watchSnapshots} from "./cell_snapshot.js"

// The running cells, by the id of their dead render's container. A frontend renders an output
// again when the kernel updates its text/html (JupyterLab drops the old element and asks for a new
// view of the same model): the running view moves into the new element, keeping its state,
// rather than joining again.
const cells = new Map()

function render({model, el}) {
  const host = document.createElement("div")
  host.className = "liveui-cell"
  host.innerHTML = model.get("html")
  const container = host.querySelector("[data-phx-session]")
  const running = container && cells.get(container.id)
  if (running && !running.el.isConnected) return adopt(running, el)
  el.appendChild(host)
  if (!container) return () => {}  // a dead render without a live view: a notice or a link
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
  const cell = {el, host, liveSocket, focused: null}
  cell.end = () => {
    if (cells.get(container.id) === cell) cells.delete(container.id)
    stopSnapshots()
    liveSocket.destroyAllViews()
    liveSocket.disconnect()
    comm.dispose()
  }
  trackFocus(cell)
  cells.set(container.id, cell)
  return owned(cell, el)
}

// The cleanup anywidget runs when a view is removed: only the element that holds the cell ends it.
function owned(cell, el) {
  return () => { if (cell.el === el) cell.end() }
}

function adopt(cell, el) {
  el.appendChild(cell.host)
  cell.el = el
  el.liveSocket = cell.liveSocket
  const focused = cell.focused
  if (focused) whenConnected(el, () => {
    if (!document.activeElement || document.activeElement === document.body) focused.focus({preventScroll: true})
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

function whenConnected(el, then, frames = 120) {
  if (el.isConnected) then()
  else if (frames > 0) requestAnimationFrame(() => whenConnected(el, then, frames - 1))
}

export default {render}
