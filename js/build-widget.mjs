// Builds the Jupyter widget module: js/src/widget.js -> liveui/static/liveui-widget.js
// (an ES module that anywidget loads). Usage: node build-widget.mjs [output-path]
// Deterministic like build.mjs, so tests rebuild it from the lock file and compare bytes.
import {build} from "esbuild"
import {readFileSync} from "node:fs"
import {dirname, resolve} from "node:path"
import {fileURLToPath} from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const outfile = process.argv[2]
  ? resolve(process.cwd(), process.argv[2])
  : resolve(here, "..", "liveui", "static", "liveui-widget.js")

const version = (name) =>
  JSON.parse(readFileSync(resolve(here, "node_modules", name, "package.json"), "utf8")).version

const banner =
  `/* liveui Jupyter widget. Contains phoenix ${version("phoenix")} ` +
  `(MIT, Copyright (c) 2014 Chris McCord) and phoenix_live_view ` +
  `${version("phoenix_live_view")} (MIT, Copyright (c) 2018 Chris McCord). */`

await build({
  absWorkingDir: here,
  entryPoints: ["src/widget.js"],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  banner: {js: banner},
  logLevel: "warning",
})
