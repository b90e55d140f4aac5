// A WebSocket-shaped class over an anywidget model's custom messages, for phoenix `Socket`'s
// `transport` option. Each instance is one connection to the kernel, named by an id `c`:
//   client -> kernel  {c, open: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, ping: 1} | {c, close: code}
//   kernel -> client  {c, opened: 1} | {c, t: text} | {c, b: 1} + [bytes] | {c, pong: 1} | {c, close: code, reason}
// Binary frames travel as message buffers, never as base64.
const CONNECTING = 0
const OPEN = 1
const CLOSED = 3

let ids = 0

// An id unique in the page and unlikely to repeat across pages: connections and requests carry one.
export function newId() {
  return `${Date.now().toString(36)}.${++ids}.${Math.random().toString(36).slice(2, 8)}`
}

function arrayBuffer(view) {
  if (view instanceof ArrayBuffer) return view
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)
}

// a kernel's new process says "starting" (a restart asked of the server shows no "restarting")
const KERNEL_GONE = ["dead", "terminating", "restarting", "autorestarting", "starting"]

// commTransport(model, {openTimeoutMs}) -> {Transport, dispose}: Transport is the class phoenix
// constructs with the endpoint URL; dispose() stops watching the model and the kernel.
// A kernel that dies or restarts (its status, its shutdown reply, or messages signed by a new
// process, as the widget manager's kernel connection reports them where there is one) or a comm
// that closes ends every connection at once; later ones fail to open, so the client shows its
// disconnected state instead of waiting for a heartbeat to time out.
export function commTransport(model, {openTimeoutMs = 5000} = {}) {
  let kernelGone = false
  const live = new Set()
  const gone = () => {
    kernelGone = true
    live.forEach((transport) => transport.ended(1006, "the kernel is gone"))
  }
  const watchStatus = (_kernel, status) => { if (KERNEL_GONE.includes(status)) gone() }
  let session = null  // a kernel process signs its messages with one session id: a new one is a new process
  const watchMessages = (_kernel, msg) => {
    const header = msg && msg.header
    if (!header || !header.session) return
    if (header.msg_type === "shutdown_reply") gone()  // a kernel told to stop (or restart) says so on iopub
    else if (session === null) session = header.session
    else if (header.session !== session) gone()
  }
  // the page's connection to the kernel came back: whatever happened meanwhile, ask each connection
  // whether the kernel still knows it (a restarted kernel does not answer)
  const watchConnection = (_kernel, status) => {
    if (status === "connected") live.forEach((transport) => transport.probe())
  }
  const kernel = model.widget_manager && model.widget_manager.kernel
  const signals = kernel ? [[kernel.statusChanged, watchStatus], [kernel.iopubMessage, watchMessages],
                           [kernel.connectionStatusChanged, watchConnection]] : []
  signals.forEach(([signal, slot]) => signal && signal.connect && signal.connect(slot))
  model.on("comm:close", gone)
  model.on("destroy", gone)
  const dispose = () => {
    signals.forEach(([signal, slot]) => signal && signal.disconnect && signal.disconnect(slot))
    model.off("comm:close", gone)
    model.off("destroy", gone)
  }

  class CommTransport {
    constructor(url) {
      this.url = url
      this.readyState = CONNECTING
      this.bufferedAmount = 0
      this.binaryType = "arraybuffer"
      this.id = newId()
      this.onopen = this.onmessage = this.onerror = this.onclose = () => {}
      this.listener = (msg, buffers) => this.receive(msg, buffers)
      model.on("msg:custom", this.listener)
      live.add(this)
      this.timer = setTimeout(() => this.ended(1006, "the kernel did not answer"), openTimeoutMs)
      if (kernelGone) {
        setTimeout(() => this.ended(1006, "the kernel is gone"), 0)
      } else {
        this.post({open: 1})
      }
    }

    post(content, buffers) {
      try {
        model.send({c: this.id, ...content}, undefined, buffers)
      } catch (error) {  // the comm or the kernel is gone
        setTimeout(() => this.ended(1006, String(error)), 0)
      }
    }

    receive(msg, buffers) {
      if (!msg || msg.c !== this.id || this.readyState === CLOSED) return
      if (msg.opened) {
        clearTimeout(this.timer)
        this.readyState = OPEN
        this.onopen({type: "open"})
      } else if (msg.pong) {
        clearTimeout(this.timer)
      } else if (msg.t !== undefined) {
        this.onmessage({data: msg.t})
      } else if (msg.b) {
        this.onmessage({data: arrayBuffer(buffers[0])})
      } else if (msg.close !== undefined) {
        this.ended(msg.close, msg.reason || "", false)
      }
    }

    probe() {
      if (this.readyState !== OPEN) return
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.ended(1006, "the kernel does not know this connection"), openTimeoutMs)
      this.post({ping: 1})
    }

    send(data) {
      if (this.readyState !== OPEN) throw new Error("the comm connection is not open")
      if (typeof data === "string") {
        this.post({t: data})
      } else {
        this.post({b: 1}, [arrayBuffer(data)])
      }
    }

    close(code = 1000, reason = "") {
      this.ended(code, reason)
    }

    // ended(code, reason, tellKernel): the kernel forgets a connection we end, even one it has not
    // opened yet (it may be busy running a cell: the open and the close wait in its queue together)
    ended(code, reason, tellKernel = true) {
      if (this.readyState === CLOSED) return
      if (tellKernel && !kernelGone) this.post({close: code})
      clearTimeout(this.timer)
      model.off("msg:custom", this.listener)
      live.delete(this)
      this.readyState = CLOSED
      const event = {type: "close", code, reason, wasClean: code === 1000}
      setTimeout(() => this.onclose(event), 0)  // as a WebSocket: the close event comes later
    }
  }

  return {Transport: CommTransport, dispose}
}
