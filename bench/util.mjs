// Small helpers shared by the benchmarks: statistics, tables, free ports, probes, processes.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { allocatePorts } from "../dist/ports/allocate.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The `portmate` a checkout's package.json names as its bin (what `npx portmate` runs), as a path. */
export function portmateBin(dir = ROOT) {
  return join(dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).bin.portmate);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function shuffle(list) {
  const copy = [...list];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

/** Rows (the first is the header) as aligned plain-text columns, for the terminal. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => String(cell).padEnd(widths[column]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The same rows as a markdown table, for bench/results.md. */
export function markdownTable(rows) {
  const line = (row) => `| ${row.map((cell) => String(cell).replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(rows[0]), line(rows[0].map(() => "---")), ...rows.slice(1).map(line)].join("\n");
}

/** `count` distinct ports that are free now, from portmate's allocator, for the peers that need ports given. */
export async function freePorts(count) {
  const allocation = await allocatePorts(
    Array.from({ length: count }, (_, index) => ({ key: String(index), label: String(index) })),
    { range: { from: 20_000, to: 30_000 } },
  );
  await allocation.release();
  return [...allocation.ports.values()];
}

/** Resident memory of a process, in MiB, from /proc. */
export function rssMiB(pid) {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Runs a command to its end (in `cwd`); resolves with its output, rejects when it exits non-zero. */
export function run(command, args, env, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`))));
  });
}
