// Builds the web chat's assets into dist/ (git-ignored), served by bot/web at /assets/.
// Run by scripts/web_setup.sh after `npm ci`; everything comes from node_modules, nothing from a CDN.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const css = sass.compile(join(here, "assets", "chat.scss"), {
  loadPaths: [join(here, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(dist, "chat.css"), css.css);

copyFileSync(
  join(here, "node_modules", "socket.io-client", "dist", "socket.io.min.js"),
  join(dist, "socket.io.min.js"),
);
console.log(`[web-setup] built ${dist}`);
