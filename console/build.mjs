// Builds the console into dist/ (committed: vl-server embeds it with include_bytes!, so a
// `cargo build` needs no Node). `node build.mjs --check` rebuilds in memory and fails unless
// dist/ is byte for byte what the sources give (CI runs it through `cargo xtask console`).
//
// dist/index.html         the page (copied)
// dist/assets/console.js  src/main.ts and its imports, bundled and minified (ES2022 module)
// dist/assets/worklet.js  src/worklet.ts, the AudioWorklet processor (a separate module)
// dist/assets/console.css src/console.css, minified

import { build } from "esbuild";
import { mkdir, readFile, readdir, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, "dist");
const check = process.argv.includes("--check");

const common = {
  bundle: true,
  minify: true,
  write: false,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  target: ["es2022"],
  logLevel: "warning",
  absWorkingDir: root,
};

async function outputs() {
  const files = new Map();
  const js = await build({
    ...common,
    entryPoints: { console: "src/main.ts", worklet: "src/worklet.ts" },
    format: "esm",
    outdir: "dist/assets",
  });
  const css = await build({ ...common, entryPoints: ["src/console.css"], outdir: "dist/assets" });
  for (const f of [...js.outputFiles, ...css.outputFiles]) {
    files.set(path.relative(dist, f.path), Buffer.from(f.contents));
  }
  files.set("index.html", await readFile(path.join(root, "src/index.html")));
  return files;
}

async function listDist(dir = dist, prefix = "") {
  let names = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return names;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) names = names.concat(await listDist(path.join(dir, e.name), rel));
    else names.push(rel);
  }
  return names;
}

const files = await outputs();
if (check) {
  const problems = [];
  for (const [name, bytes] of files) {
    let have;
    try {
      have = await readFile(path.join(dist, name));
    } catch {
      problems.push(`missing dist/${name}`);
      continue;
    }
    if (!have.equals(bytes)) problems.push(`dist/${name} differs from a rebuild`);
  }
  for (const name of await listDist()) {
    if (!files.has(name)) problems.push(`dist/${name} is not a build output`);
  }
  if (problems.length) {
    console.error(`console/dist is out of date (run \`npm run build\` in console/):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`console/dist is up to date (${files.size} files)`);
} else {
  await rm(dist, { recursive: true, force: true });
  let total = 0;
  for (const [name, bytes] of files) {
    await mkdir(path.dirname(path.join(dist, name)), { recursive: true });
    await writeFile(path.join(dist, name), bytes);
    total += bytes.length;
    console.log(`dist/${name}  ${bytes.length} bytes`);
  }
  console.log(`total ${total} bytes`);
}
