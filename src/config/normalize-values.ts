import { constants } from "node:os";
import { splitCommandWords } from "../util/command-line.js";
import { formatDuration, MAX_DURATION_MS, parseDuration } from "../util/duration.js";
import type { ConfigIssue } from "../errors.js";
import type { ConfigLocator, ConfigPath } from "./source.js";
import type { CommandConfig, RawCommandLine } from "./types.js";

// The checks every part of normalizing shares: the config's own (normalize.ts) and its tunnels'
// (normalize-tunnel.ts).

/** What normalizing needs besides the raw data. */
export interface NormalizeContext {
  source: ConfigLocator;
  /** Folder of the config file. */
  dir: string;
  issues: ConfigIssue[];
}

/** A command line: a string is split like a shell would (or kept whole for `shell: true`), a list is used as is. */
export function normalizeCommand(raw: RawCommandLine, shell: boolean, ctx: NormalizeContext, at: ConfigPath): CommandConfig {
  if (Array.isArray(raw)) {
    if (shell) {
      ctx.issues.push(
        ctx.source.issue(at, "with `shell: true` the command must be one string", { hint: 'write it as a string, such as "npm run dev | tee dev.log"' }),
      );
    }
    return { shell: false, argv: raw.map(String) };
  }
  if (shell) return { shell: true, script: raw };
  try {
    const words = splitCommandWords(raw);
    if (words.length === 0) ctx.issues.push(ctx.source.issue(at, "must not be empty"));
    const optional = words.flatMap((word, index) => (word.bare && index > 0 ? [index] : []));
    return { shell: false, argv: words.map((word) => word.text), ...(optional.length ? { optional } : {}) };
  } catch (error) {
    ctx.issues.push(ctx.source.issue(at, `cannot be split into arguments: ${(error as Error).message}`));
    return { shell: false, argv: [] };
  }
}

/**
 * The schema has checked the form already; this converts, and checks the value: a timer cannot wait longer
 * than about 24 days (Node.js fires a longer one at once), and some durations must not be zero.
 */
export function duration(
  raw: string | undefined,
  fallback: number,
  ctx: NormalizeContext,
  at: ConfigPath,
  options: { min?: number; hint?: string } = {},
): number {
  if (raw === undefined) return fallback;
  const ms = parseDuration(raw);
  if (ms === undefined) return fallback;
  if (ms > MAX_DURATION_MS) {
    ctx.issues.push(ctx.source.issue(at, `must be at most ${formatDuration(MAX_DURATION_MS)} (the longest a timer can wait), got ${JSON.stringify(raw)}`));
    return fallback;
  }
  if (options.min !== undefined && ms < options.min) {
    ctx.issues.push(ctx.source.issue(at, `must be at least ${formatDuration(options.min)}, got ${JSON.stringify(raw)}`, { hint: options.hint }));
    return fallback;
  }
  return ms;
}

/** A signal's name (`SIGHUP`); SIGTERM, with an issue, for one the system does not know. */
export function normalizeSignal(raw: string | undefined, ctx: NormalizeContext, at: ConfigPath): NodeJS.Signals {
  if (raw === undefined) return "SIGTERM";
  if (!(raw in constants.signals)) {
    ctx.issues.push(ctx.source.issue(at, `unknown signal "${raw}"`, { hint: "use a name such as SIGTERM, SIGINT, SIGQUIT or SIGHUP" }));
    return "SIGTERM";
  }
  return raw as NodeJS.Signals;
}
