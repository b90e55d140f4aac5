// Builds the client bundles into liveui/static/: js/src/browser.js -> liveui.js (pages),
// js/src/widget.js -> liveui-widget.js (the ES module anywidget loads in Jupyter) and
// js/src/desktop.js -> liveui-desktop.js (the pywebview bridge transport).
// Usage: node build.mjs [output-directory]
// The output is deterministic (no timestamps, no absolute paths), so tests can
// rebuild it from the lock file and compare bytes with the committed file.
import {build} from "esbuild"
import {readFileSync} from "node:fs"
import {dirname, resolve} from "node:path"
import {fileURLToPath} from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const outdir = process.argv[2]
  ? resolve(process.cwd(), process.argv[2])
  : resolve(here, "..", "liveui", "static")

const version = (name) =>
  JSON.parse(readFileSync(resolve(here, "node_modules", name, "package.json"), "utf8")).version

const banner = (what) =>
  `/* liveui ${what}. Contains phoenix ${version("phoenix")} ` +
  `(MIT, Copyright (c) 2014 Chris McCord), phoenix_live_view ` +
  `${version("phoenix_live_view")} (MIT, Copyright (c) 2018 Chris McCord) and phoenix_html ` +
  `${version("phoenix_html")} (MIT, Copyright (c) 2014 Chris McCord). */`

// entry -> [output file, format, banner]; the desktop transport contains no third-party code
const bundles = {
  "src/browser.js": ["liveui.js", "iife", banner("client bundle")],
  "src/widget.js": ["liveui-widget.js", "esm", banner("Jupyter widget")],
  "src/desktop.js": ["liveui-desktop.js", "iife", "/* liveui desktop transport: pywebview bridge for the liveui client. */"],
}

for (const [entry, [name, format, header]] of Object.entries(bundles)) await build({
  absWorkingDir: here,
  entryPoints: [entry],
  outfile: resolve(outdir, name),
  bundle: true,
  format,
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  banner: {js: header},
  logLevel: "warning",
})
