// Jupyter entry for liveui: an anywidget ES module that runs the official Phoenix LiveView
// client (unmodified) inside a notebook cell. The kernel's widget carries Phoenix frames in
// custom messages; this module gives the client a WebSocket-shaped transport over them.
// Nothing a view does reloads the notebook page or changes its URL: navigation stays in the cell.
import {Socket} from "phoenix"
import {LiveSocket} from "phoenix_live_view"
import {commTransport} from "./comm_transport.js"
import {keepInCell} from "./cell_navigation.js"

function render({model, el}) {
  el.classList.add("liveui-cell")
  el.innerHTML = model.get("html")
  const container = el.querySelector("[data-phx-session]")
  if (!container) return () => {}  // a dead render without a live view: a notice or a link

  const comm = commTransport(model)
  const liveSocket = new LiveSocket("/live", Socket, {
    transport: comm.Transport,
    hooks: window.liveuiHooks || {},  // client hooks, as on a page: define them before the cell runs
    heartbeatIntervalMs: model.get("heartbeat") * 1000,  // the kernel ends a connection that misses some
    reconnectAfterMs: (tries) => [100, 500, 1000, 2000][tries - 1] || 5000,
  })
  keepInCell(liveSocket, el, model.get("url"))
  const view = liveSocket.newRootView(container)
  view.setHref(new URL(model.get("url"), window.location.href).href)
  liveSocket.main = view
  view.join()
  liveSocket.bindTopLevelEvents()
  liveSocket.socket.connect()
  el.liveSocket = liveSocket  // for debugging in the browser console

  return () => {
    liveSocket.destroyAllViews()
    liveSocket.disconnect()
    comm.dispose()
  }
}

export default {render}
