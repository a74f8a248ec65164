import { shellQuote } from "../util/shell-quote.js";

/** A variable name every shell accepts. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What `portmate env` prints: an `export NAME=value` line a variable, for `eval "$(portmate env)"`, and the
 * names left out. `2FA_PORT` (a service named `2fa`) is a fine variable for a process, but no shell accepts
 * it: one bad line would stop the whole `eval`.
 */
export function exportLines(env: Readonly<Record<string, string>>): { text: string; leftOut: string[] } {
  const names = Object.keys(env);
  const text = names
    .filter((name) => SHELL_NAME.test(name))
    .map((name) => `export ${name}=${shellQuote(env[name] as string)}\n`)
    .join("");
  return { text, leftOut: names.filter((name) => !SHELL_NAME.test(name)) };
}
