// The official client's diff merge as a test oracle.
//
// The package does not export `Rendered`, so this bundles it from the sources the npm
// package ships (assets/js/phoenix_live_view/rendered.js) with the esbuild in js/node_modules,
// into a temporary directory removed once loaded. It is driven like the client's View does:
// the first diff of a view is the join (`new Rendered`), each later one is merged with
// `mergeDiff`, and after each the tree is rendered with `toString()`.
//
// Protocol, one JSON value per line on stdin, one JSON object per line on stdout:
//   a diff object   -> {"html": "<what the client renders>"} or {"error": "..."}
//   "reset"         -> {"ok": true, "version": "<phoenix_live_view version>"};
//                      the next diff starts a new view (a join)
//   {"full": diff}  -> like a diff, but every component is rendered in full (the client
//                      otherwise leaves unchanged ones as placeholders its DOM patch keeps)
//   {"prune": cids} -> {"ok": true}: the client forgets these components (cids_destroyed)
// Attributes the client injects (data-phx-id/-component/-view/-skip) are stripped, so
// the HTML compares directly with the server's dead render.
//
// Usage: node tests/js/rendered_harness.mjs [path/to/js]   (default: <repo>/js)

import {createRequire} from "node:module"
import {existsSync, mkdtempSync, readFileSync, rmSync} from "node:fs"
import {tmpdir} from "node:os"
import {dirname, join, resolve} from "node:path"
import {createInterface} from "node:readline"
import {fileURLToPath, pathToFileURL} from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const jsDir = resolve(process.argv[2] || join(here, "..", "..", "js"))
const packageDir = join(jsDir, "node_modules", "phoenix_live_view")
const source = join(packageDir, "assets", "js", "phoenix_live_view", "rendered.js")

function fail(message) {
  process.stderr.write(`rendered_harness: ${message}\n`)
  process.exit(2)
}

if (!existsSync(source)) {
  fail(`${source} not found: install the client with \`cd ${jsDir} && npm ci\``)
}

// The client reads `window` (utils.deepClone asks `"structuredClone" in window`).
globalThis.window ??= globalThis

async function loadRendered() {
  const esbuild = createRequire(join(jsDir, "package.json"))("esbuild")
  const dir = mkdtempSync(join(tmpdir(), "liveui-rendered-"))
  const outfile = join(dir, "rendered.mjs")
  try {
    await esbuild.build({
      entryPoints: [source],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      logLevel: "error",
    })
    return (await import(pathToFileURL(outfile).href)).default
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

const INJECTED = / data-phx-(?:id|component|view)="[^"]*"| data-phx-skip(?:="[^"]*")?/g

const Rendered = await loadRendered()
const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version
let rendered = null

function apply(diff, full) {
  const {diff: extracted} = Rendered.extract(diff)
  if (rendered === null) {
    rendered = new Rendered("phx-harness", extracted)
    return rendered.toString(null).buffer
  }
  rendered.mergeDiff(extracted)
  if (!full) return rendered.toString(rendered.componentCIDs(extracted)).buffer
  for (const cid of Object.keys(rendered.get().c || {})) rendered.resetRender(cid)
  return rendered.toString(null).buffer
}

const lines = createInterface({input: process.stdin, crlfDelay: Infinity})
for await (const line of lines) {
  if (!line.trim()) continue
  let reply
  try {
    const message = JSON.parse(line)
    if (message === "reset") {
      rendered = null
      reply = {ok: true, version}
    } else if (message && message.prune) {
      rendered.pruneCIDs(message.prune)
      reply = {ok: true}
    } else if (message && message.full) {
      reply = {html: apply(message.full, true).replace(INJECTED, "")}
    } else {
      reply = {html: apply(message, false).replace(INJECTED, "")}
    }
  } catch (error) {
    rendered = null
    reply = {error: String(error && error.stack || error).split("\n").slice(0, 4).join("\n")}
  }
  process.stdout.write(JSON.stringify(reply) + "\n")
}
