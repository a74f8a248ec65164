// `portmate start`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { startCli } from "../commands/start.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [startCli] });
