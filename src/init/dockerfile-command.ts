import { readFileSync } from "node:fs";

/**
 * What a Dockerfile runs: its last ENTRYPOINT and CMD as one command line (exec form `["a", "b"]` or shell form);
 * undefined when it has neither or cannot be read.
 */
export function dockerfileCommand(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  // Lines continued with a backslash are one instruction.
  const instructions = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const last = (keyword: string) =>
    instructions
      .map((line) => new RegExp(`^\\s*${keyword}\\s+(.+?)\\s*$`, "i").exec(line)?.[1])
      .filter((value): value is string => value !== undefined)
      .at(-1);
  const words = [last("ENTRYPOINT"), last("CMD")].filter((value): value is string => value !== undefined).map(execForm);
  return words.length ? words.join(" ") : undefined;
}

/** `["uvicorn", "app:app"]` → `uvicorn app:app`; a shell form as it is. */
function execForm(value: string): string {
  if (!value.startsWith("[")) return value;
  try {
    const words = JSON.parse(value) as unknown;
    if (Array.isArray(words)) return words.map((word) => (/^[\w@%+=:,./${}-]+$/.test(String(word)) ? String(word) : JSON.stringify(String(word)))).join(" ");
  } catch {
    // not JSON: Docker runs it as a shell form too
  }
  return value;
}
