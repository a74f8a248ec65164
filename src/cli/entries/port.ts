// `portmate port`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { portCli } from "../commands/port.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [portCli] });
