// Keeps a LiveSocket's navigation inside its notebook cell: instance-level overrides only (the
// client's source is not patched). The page is never reloaded and its URL never changes:
// a patch updates the view's own URL (the cell's `data-liveui-url`), a live navigation swaps the
// view inside the cell, so does a redirect to one of the app's paths, a redirect elsewhere renders
// a link (it opens nothing by itself), and a failed join shows an error here.
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
  const urlOf = (raw) => {
    const href = new URL(raw, new URL(el.dataset.liveuiUrl, base)).href
    return {href, internal: internal(href)}
  }
  liveSocket.bindNav = () => bindCellLinks(liveSocket, el, urlOf)  // no popstate, no window-wide links

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

  liveSocket.redirect = function (to, flash) {  // a full page load: one of the app's paths loads in the cell
    const href = new URL(to, base).href
    if (internal(href) && this.isConnected() && this.main) {
      this.replaceMain(href, flash, (linkRef) => { if (linkRef === this.linkRef) setUrl(href) })
    } else {
      notice(el, "redirect", "This view redirected to", href)
    }
  }

  liveSocket.reloadWithJitter = function (view) {
    this.disconnect()
    view.destroy()
    notice(el, "error", "This view could not continue (it failed to join or lost the kernel); run the cell again.")
  }
}

// Links inside this cell only (the client's own handler listens on the whole window and would act
// for every cell): live links navigate live; a plain link to one of the app's paths, which a
// browser would load as a page, is a live navigation in the cell too; other links open a new tab.
function bindCellLinks(liveSocket, el, urlOf) {
  el.addEventListener("click", (e) => {
    const anchor = e.target instanceof Element && e.target.closest("a[href]")
    if (!anchor || !el.contains(anchor) || e.defaultPrevented) return
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return
    const raw = anchor.getAttribute("href")
    const type = anchor.getAttribute("data-phx-link")
    if (!type && (raw.startsWith("#") || anchor.hasAttribute(liveSocket.binding("click")))) return
    e.preventDefault()
    e.stopPropagation()
    const href = urlOf(raw)
    if (!type && (anchor.target || anchor.hasAttribute("download") || !href.internal)) {
      window.open(href.href, "_blank", "noopener")
      return
    }
    const linkState = anchor.getAttribute("data-phx-link-state") || "push"
    const phxClick = anchor.getAttribute(liveSocket.binding("click"))
    liveSocket.requestDOMUpdate(() => {
      if (type === "patch") {
        liveSocket.pushHistoryPatch(e, href.href, linkState, anchor)
      } else {
        liveSocket.historyRedirect(e, href.href, linkState, null, anchor)
      }
      if (phxClick) liveSocket.execJS(anchor, phxClick, "click")
    })
  }, true)
}
