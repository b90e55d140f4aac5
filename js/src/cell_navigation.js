// Keeps a LiveSocket's navigation inside its notebook cell: instance-level overrides only (the
// client's source is not patched). The page is never reloaded and its URL never changes:
// a patch updates the view's own URL (the cell's `data-liveui-url`), a live navigation swaps the
// view inside the cell, a full redirect renders a link, and a failed join shows an error here.
function notice(el, kind, text, href) {
  let box = el.querySelector(":scope > .liveui-notice")
  if (!box) {
    box = document.createElement("div")
    box.className = "liveui-notice"
    box.setAttribute("role", "alert")
    el.appendChild(box)
  }
  box.dataset.kind = kind
  box.textContent = text
  if (href) {
    const link = document.createElement("a")
    link.href = href
    link.target = "_blank"
    link.rel = "noopener"
    link.textContent = href
    box.append(" ", link)
  }
}

// keepInCell(liveSocket, el, url): `el` is the cell output, `url` the view's first path.
export function keepInCell(liveSocket, el, url) {
  const base = new URL(url, window.location.href)
  const setUrl = (href) => {
    const at = new URL(href, base)
    el.dataset.liveuiUrl = at.origin === base.origin ? at.pathname + at.search + at.hash : at.href
  }
  setUrl(base.href)
  const internal = (href) => new URL(href, base).origin === base.origin

  liveSocket.isUnloaded = () => false  // never reload the page when the socket reopens
  liveSocket.bindNav = () => bindCellLinks(liveSocket, el)  // no popstate, no window-wide links

  liveSocket.historyPatch = function (href, linkState, linkRef = this.setPendingLink(href)) {
    if (!this.commitPendingLink(linkRef)) return
    setUrl(href)
  }

  liveSocket.pushHistoryPatch = function (e, href, linkState, targetEl) {
    if (!this.isConnected() || !this.main) return
    this.main.pushLinkPatch(e, href, targetEl, (linkRef) => this.historyPatch(href, linkState, linkRef))
  }

  liveSocket.historyRedirect = function (e, href, linkState, flash, targetEl) {
    href = new URL(href, base).href
    if (!internal(href)) return this.redirect(href, flash, null)
    if (!this.isConnected() || !this.main) return notice(el, "disconnected", "Not connected to the kernel.")
    this.replaceMain(href, flash, (linkRef) => {
      if (linkRef === this.linkRef) setUrl(href)
    })
  }

  liveSocket.redirect = function (to) {
    const href = new URL(to, base)
    notice(el, "redirect", "This view redirected to", internal(href.href) ? href.pathname + href.search : href.href)
  }

  liveSocket.reloadWithJitter = function (view) {
    this.disconnect()
    view.destroy()
    notice(el, "error", "This view could not continue (it failed to join or lost the kernel); run the cell again.")
  }

}

// Live links (`data-phx-link`) inside this cell only: the client's own handler listens on the
// whole window and would act for every cell.
function bindCellLinks(liveSocket, el) {
  el.addEventListener("click", (e) => {
    const target = e.target instanceof Element && e.target.closest("a[data-phx-link]")
    if (!target || !el.contains(target) || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    e.stopPropagation()
    const type = target.getAttribute("data-phx-link")
    const linkState = target.getAttribute("data-phx-link-state") || "push"
    const href = target.href
    const phxClick = target.getAttribute(liveSocket.binding("click"))
    liveSocket.requestDOMUpdate(() => {
      if (type === "patch") {
        liveSocket.pushHistoryPatch(e, href, linkState, target)
      } else {
        liveSocket.historyRedirect(e, href, linkState, null, target)
      }
      if (phxClick) liveSocket.execJS(target, phxClick, "click")
    })
  }, true)
}
