// `portmate proxy`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { proxyCli } from "../commands/proxy.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [proxyCli] });
