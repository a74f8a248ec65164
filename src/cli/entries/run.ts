// `portmate run`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { runCli } from "../commands/run.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [runCli] });
