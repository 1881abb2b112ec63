// Bundles the page into dist/ (never committed): src/main.ts and its imports as one minified ES module, plus
// index.html and styles.css. The server's build copies dist/ into its wwwroot.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: join(dist, "app.js"),
  logLevel: "warning",
});
for (const file of ["index.html", "styles.css"]) {
  copyFileSync(join(here, "src", file), join(dist, file));
}
writeFileSync(join(dist, ".built"), new Date().toISOString() + "\n");
