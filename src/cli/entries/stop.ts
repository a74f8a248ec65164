// `portmate stop`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { stopCli } from "../commands/stop.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [stopCli] });
