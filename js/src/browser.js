// Browser entry for liveui: wires the official Phoenix LiveView client (unmodified)
// to a liveui server. Exposes `window.liveui` (our `connect` and every export of the
// official `phoenix` and `phoenix_live_view` packages: LiveSocket, Socket, isUsedInput,
// createHook, ViewHook, ...) and auto-connects pages that carry a `[data-phx-main]`
// element unless `window.liveuiManualConnect` is true.
import * as phoenix from "phoenix"
import * as phoenixLiveView from "phoenix_live_view"
import "phoenix_html"  // data-confirm and data-method links (official, unmodified)

const {Socket} = phoenix
const {LiveSocket} = phoenixLiveView

function csrfToken() {
  const meta = document.querySelector("meta[name='csrf-token']")
  return meta ? meta.getAttribute("content") : null
}

function withCsrf(params) {
  const token = csrfToken()
  const base = token == null ? {} : {_csrf_token: token}
  if (typeof params === "function") {
    return () => ({...base, ...params()})
  }
  return {...base, ...(params || {})}
}

// connect({url, params, hooks, transport, ...rest}) -> LiveSocket
//   url        socket endpoint (default "/live")
//   params     extra connect/join params (object or function returning one)
//   hooks      merged over window.liveuiHooks
//   transport  WebSocket-shaped class handed to the phoenix Socket (Jupyter comm,
//              pywebview shims); omitted -> the browser's WebSocket
//   rest       any other LiveSocket / phoenix Socket option, passed through
function connect(options = {}) {
  const {url, params, hooks, transport, ...rest} = options
  const opts = {
    ...rest,
    params: withCsrf(params),
    hooks: {...(window.liveuiHooks || {}), ...(hooks || {})},
  }
  if (transport) opts.transport = transport
  const liveSocket = new LiveSocket(url || "/live", Socket, opts)
  liveSocket.connect()
  window.liveSocket = liveSocket
  return liveSocket
}

window.liveui = {...phoenix, ...phoenixLiveView, connect}

function autoConnect() {
  if (window.liveuiManualConnect === true) return
  if (window.liveSocket) return
  if (!document.querySelector("[data-phx-main]")) return
  connect()
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", autoConnect, {once: true})
} else {
  autoConnect()
}
