// Copies the browser builds of the npm dependencies into static/vendor/, where
// Django's staticfiles (and WhiteNoise) serve them. Nothing third-party is committed:
// static/vendor/ is git-ignored and rebuilt by every `npm ci`.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["signature_pad/dist/signature_pad.umd.min.js", "signature_pad/signature_pad.umd.min.js"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of files) {
  const source = join(modules, from);
  if (!existsSync(source)) {
    console.error(`copy-vendor: ${from} is missing from node_modules; run npm ci`);
    process.exit(1);
  }
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true });
}
console.log(`copy-vendor: ${files.length} entries copied into static/vendor`);
