// The cell's static fallback: the output keeps the view's last state as `text/html`, so viewers
// without a kernel (nbconvert, GitHub) show what the user saw. Once the view's DOM has been quiet
// for QUIET_MS (at most MAX_WAIT_MS while it keeps changing), its HTML goes to the kernel, which
// updates the output; only HTML that differs from what the kernel has is sent.
const QUIET_MS = 1000
const MAX_WAIT_MS = 10000

// staticHTML(host): the HTML inside `host` without join tokens and the client's own markers
// (its root ids, phx-* state classes, pending refs), which mean nothing without a client, nor
// what the frontend adds to an output (JupyterLab numbers its headings for the table of contents).
const CLIENT_ATTRIBUTES = ["data-phx-session", "data-phx-static", "data-phx-root-id", "data-lm-suppress-shortcuts"]
const FRONTEND_ADDITIONS = ".numbering-entry"

export function staticHTML(host) {
  const copy = host.cloneNode(true)
  copy.querySelectorAll(FRONTEND_ADDITIONS).forEach((node) => node.remove())
  for (const node of copy.querySelectorAll("*")) {
    for (const name of node.getAttributeNames()) {
      if (CLIENT_ATTRIBUTES.includes(name) || name.startsWith("data-phx-ref")) {
        node.removeAttribute(name)
      }
    }
    const state = [...node.classList].filter((name) => name.startsWith("phx-"))
    if (state.length) {
      node.classList.remove(...state)
      if (!node.classList.length) node.removeAttribute("class")
    }
  }
  return copy.innerHTML
}

// watchSnapshots(host, known, send): calls send(html) with the host's static HTML after changes;
// `known` is the HTML the kernel already has (as staticHTML of the dead render). Returns a stop().
export function watchSnapshots(host, known, send) {
  let last = known
  let timer = null
  let first = 0
  const flush = () => {
    timer = null
    first = 0
    const html = staticHTML(host)
    if (html !== last) {
      last = html
      send(html)
    }
  }
  const observer = new MutationObserver(() => {
    const now = Date.now()
    first = first || now
    clearTimeout(timer)
    timer = setTimeout(flush, Math.min(QUIET_MS, first + MAX_WAIT_MS - now))
  })
  observer.observe(host, {subtree: true, childList: true, attributes: true, characterData: true})
  return () => {
    observer.disconnect()
    clearTimeout(timer)
  }
}
