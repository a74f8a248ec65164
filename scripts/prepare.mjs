// `npm install`'s build (the `prepare` script): builds dist/ unless it is newer than every source.
// Why: npm runs `prepare` again when `npx portmate` is first run in a clone (it installs the folder as the
// package it names), which rebuilt everything, ~10 s, before the demo could start. `npm run build` (and so
// `npm test`) always builds.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const SOURCES = ["src", "schemas", "scripts", "package.json", "tsconfig.json", "tsconfig.build.json"];
const OUTPUTS = ["dist/portmate.cjs", "dist/portmate.js", "dist/cjs/supervisor.js", "dist/supervisor.js", "dist/index.js", "dist/index.d.ts"];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

function oldestOutput() {
  try {
    return Math.min(...OUTPUTS.map((path) => statSync(path).mtimeMs));
  } catch {
    return -Infinity; // not built yet
  }
}

if (oldestOutput() > Math.max(...SOURCES.map(newest))) {
  console.log("portmate: dist/ is up to date");
} else {
  execFileSync("npm", ["run", "build"], { stdio: "inherit" });
}
