// Which command argv names, told before the CLI is loaded: the entry loads that command's bundle only, and
// starts what `up` needs early (early-start.ts).

/** Every command, in the order help lists them; each is a module of commands/ and a bundle of its own. */
export const COMMAND_NAMES = [
  "up",
  "ps",
  "down",
  "logs",
  "port",
  "env",
  "export",
  "config",
  "who",
  "restart",
  "stop",
  "start",
  "run",
  "proxy",
  "trust",
  "dashboard",
  "mcp",
  "init",
  "completion",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The global options that take a value: skipped when looking for the command's name. */
const VALUE_OPTIONS = ["-f", "--file", "-p", "--project-name", "--env-file"];

/** Where the command's name is in argv: the first word that is not an option or an option's value; -1 for none. */
export function commandAt(argv: readonly string[]): number {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (VALUE_OPTIONS.includes(arg)) index++;
    else if (arg === "--") return -1;
    else if (!arg.startsWith("-")) return index;
  }
  return -1;
}

/** The command argv names, when it is one of portmate's; undefined for help, none, or an unknown name. */
export function namedCommand(argv: readonly string[]): CommandName | undefined {
  const word = argv[commandAt(argv)];
  return COMMAND_NAMES.find((name) => name === word);
}
