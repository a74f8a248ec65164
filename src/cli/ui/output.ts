import { parseServiceId } from "../../plan/names.js";
import { colors } from "./terminal.js";

/**
 * One colour per service, by its place in the config (instances of a service share it). Never red: red reads
 * as an error. Beyond ten services the colours come round again.
 */
const PALETTE = [
  colors.cyan,
  colors.magenta,
  colors.green,
  colors.yellow,
  colors.blue,
  colors.cyanBright,
  colors.magentaBright,
  colors.greenBright,
  colors.yellowBright,
  colors.blueBright,
];

/** The name portmate's own lines are prefixed with. */
export const PORTMATE_PREFIX = "portmate";

/** The colour of a service, by the order of the config's services (`names`). */
export function serviceColor(name: string, names: readonly string[]): (text: string) => string {
  const index = names.indexOf(name);
  return PALETTE[(index < 0 ? 0 : index) % PALETTE.length] ?? ((text: string) => text);
}

// CSI sequences (ESC [ … final byte), OSC sequences (ESC ] … BEL or ESC \), other two-byte escapes, and
// control characters but tab.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|[\x00-\x08\x0b-\x1f\x7f]/g;
// eslint-disable-next-line no-control-regex
const SGR = /^\x1b\[[0-9;:]*m$/;

/**
 * A service's line as it may be shown among others: its colours (SGR sequences) are kept and reset at its end
 * so they do not run into the next line; what could move the cursor, clear the screen, set the title or ring
 * the bell is removed, as it would garble the lines of every other service.
 */
export function sanitizeLine(text: string): string {
  let styled = false;
  const clean = text.replace(ESCAPES, (sequence) => {
    if (SGR.test(sequence)) {
      styled = true;
      return sequence;
    }
    return "";
  });
  return styled ? `${clean}\x1b[0m` : clean;
}

/**
 * The services' output, multiplexed with a coloured `svc |` prefix per service (`svc#2 |` for instance 2),
 * aligned, and portmate's own lines among them as `portmate | …`. Written as it comes.
 */
export class PrefixedOutput {
  private readonly width: number;
  private readonly colorOf = new Map<string, (text: string) => string>();

  /**
   * `ids`: every service id shown (`backend`, `backend#2`); `names`: the service names in the config's order,
   * which gives each its colour; `write`: where whole lines go; `notes`: portmate's own lines come too, so
   * prefixes are as wide as `portmate`.
   */
  constructor(
    ids: readonly string[],
    names: readonly string[],
    private readonly write: (text: string) => void,
    notes = true,
  ) {
    this.width = Math.max(notes ? PORTMATE_PREFIX.length : 0, ...ids.map((id) => id.length));
    for (const id of ids) this.colorOf.set(id, serviceColor(parseServiceId(id).name, names));
  }

  /** One line of a service's output. */
  line(id: string, text: string): void {
    const paint = this.colorOf.get(id) ?? ((value: string) => value);
    this.write(`${paint(`${id.padEnd(this.width)} |`)} ${sanitizeLine(text)}\n`);
  }

  /** One line from portmate itself (`backend restarted on port 8004 (pid 1234)`). */
  note(text: string): void {
    this.write(`${colors.dim(`${PORTMATE_PREFIX.padEnd(this.width)} |`)} ${text}\n`);
  }
}
