// `portmate config`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { configCli } from "../commands/config.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [configCli] });
