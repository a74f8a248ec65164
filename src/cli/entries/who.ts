// `portmate who`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { whoCli } from "../commands/who.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [whoCli] });
