import { readFileSync } from "node:fs";
import { isatty } from "node:tty";

/**
 * Whether this process is in the foreground process group of its terminal: then a key the terminal turns
 * into a signal (Ctrl-C, Ctrl-\) or its hang-up reaches every process of the group, a child in the same
 * group too, so passing the signal on would deliver it twice.
 */
export function inTerminalForeground(): boolean {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync("/proc/self/stat", "utf8");
      // After the command name (in parentheses, may hold spaces): state(3) ppid(4) pgrp(5) session(6)
      // tty_nr(7) tpgid(8), numbered from 1 as in proc(5). tpgid is -1 without a terminal.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[2]) === Number(fields[5]);
    } catch {
      // no /proc mounted: guess below
    }
  }
  // Without /proc, a terminal on any standard stream is the likeliest case of a foreground job. isatty, not
  // process.stdin: making that stream would set the terminal non-blocking under the child that shares it.
  return [0, 1, 2].some((fd) => isatty(fd));
}
