// `portmate logs`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { logsCli } from "../commands/logs.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [logsCli] });
