import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseEnv } from "dotenv";
import type { ConfigIssue } from "../errors.js";
import type { ConfigLocator, ConfigPath } from "./source.js";

/** Reads `KEY=value` env files (relative to the config's folder); later files win. A missing file is an issue. */
export function readEnvFiles(
  raw: string | string[] | undefined,
  ctx: { source: ConfigLocator; dir: string; issues: ConfigIssue[] },
  at: ConfigPath,
): Record<string, string> {
  if (raw === undefined) return {};
  const files = Array.isArray(raw) ? raw : [raw];
  const vars: Record<string, string> = {};
  for (const [index, file] of files.entries()) {
    const path = resolve(ctx.dir, file);
    try {
      Object.assign(vars, parseEnv(readFileSync(path, "utf8")));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read: ${(error as Error).message}`;
      ctx.issues.push(ctx.source.issue(Array.isArray(raw) ? [...at, index] : at, `env file "${file}" ${reason}`));
    }
  }
  return vars;
}
