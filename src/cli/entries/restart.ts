// `portmate restart`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { restartCli } from "../commands/restart.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [restartCli] });
