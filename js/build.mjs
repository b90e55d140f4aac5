// Builds the browser bundle: js/src/browser.js -> liveui/static/liveui.js
// Usage: node build.mjs [output-path]
// The output is deterministic (no timestamps, no absolute paths), so tests can
// rebuild it from the lock file and compare bytes with the committed file.
import {build} from "esbuild"
import {readFileSync} from "node:fs"
import {dirname, resolve} from "node:path"
import {fileURLToPath} from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const outfile = process.argv[2]
  ? resolve(process.cwd(), process.argv[2])
  : resolve(here, "..", "liveui", "static", "liveui.js")

const version = (name) =>
  JSON.parse(readFileSync(resolve(here, "node_modules", name, "package.json"), "utf8")).version

const banner =
  `/* liveui client bundle. Contains phoenix ${version("phoenix")} ` +
  `(MIT, Copyright (c) 2014 Chris McCord) and phoenix_live_view ` +
  `${version("phoenix_live_view")} (MIT, Copyright (c) 2018 Chris McCord). */`

await build({
  absWorkingDir: here,
  entryPoints: ["src/browser.js"],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  banner: {js: banner},
  logLevel: "warning",
})
