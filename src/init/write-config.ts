import { stringify } from "yaml";
import type { Draft, DraftService } from "./draft.js";

/** The mark of every guess in the written file, so a reader (and a search) finds them all. */
export const GUESS_MARK = "# guess:";

/** The text of portmate.yaml for a draft: its notes as comments, each guess as a `# guess:` line above its key. */
export function renderConfig(draft: Draft, notes: readonly string[] = []): string {
  const lines = [
    `# Written by \`portmate init\` from ${draft.source}. Lines after "${GUESS_MARK}" are guesses: check them.`,
    "# `portmate config` shows it with ports filled in; `portmate up` runs it.",
    ...[...draft.notes, ...notes].map((note) => `# ${note}`),
    "services:",
  ];
  for (const service of draft.services) lines.push(...renderService(service));
  return `${lines.join("\n")}\n`;
}

function renderService(service: DraftService): string[] {
  const out = [`  ${key(service.name)}:`, ...service.notes.map((note) => `    # ${note}`)];
  const field = (name: string, value: unknown, guess = name, indent = "    ") => {
    const note = service.guesses[guess];
    if (note) out.push(`${indent}${GUESS_MARK} ${note}`);
    out.push(`${indent}${key(name)}: ${scalar(value)}`);
  };
  const map = (name: string, values: Record<string, string>) => {
    out.push(`    ${name}:`);
    for (const [entry, value] of Object.entries(values)) field(entry, value, `${name}.${entry}`, "      ");
  };
  field("command", service.command);
  if (service.shell) field("shell", true);
  if (service.cwd !== undefined) field("cwd", service.cwd);
  if (service.port !== undefined) field("port", service.port);
  if (service.env) map("env", service.env);
  if (service.env_file) field("env_file", service.env_file.length === 1 ? service.env_file[0] : service.env_file);
  if (service.depends_on) map("depends_on", service.depends_on);
  if (service.health) {
    if (service.guesses.health) out.push(`    ${GUESS_MARK} ${service.guesses.health}`);
    out.push("    health:");
    for (const [entry, value] of Object.entries(service.health)) out.push(`      ${entry}: ${scalar(value)}`);
  }
  if (service.image !== undefined || service.build !== undefined) out.push("    # image and build: what `portmate export` runs it in");
  if (service.image !== undefined) field("image", service.image);
  if (typeof service.build === "string") field("build", service.build);
  else if (service.build) map("build", service.build);
  if (service.profiles) field("profiles", service.profiles);
  if (service.disabled) field("disabled", true);
  return out;
}

/** A YAML value on its key's line: a scalar quoted only when it must be, a list in flow style (`[a, b]`). */
function scalar(value: unknown): string {
  return stringify(value, { lineWidth: 0, ...(Array.isArray(value) ? { collectionStyle: "flow" as const } : {}) }).trimEnd();
}

function key(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}
