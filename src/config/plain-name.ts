// The top-level `name:` of a config read from its lines, without a YAML parser, when the file says it plainly:
// `ps`, `port`, `env` and `down` need only the project's name, and loading the parser would double their
// start-up. Where the file could say it in a way a line cannot tell (an alias, a flow mapping, a quoted key,
// several documents, a value on the next line), it answers undefined and the parser decides.

/** A key at the start of a line that a plain scalar spells: `services:`, `x-base:`, `name :`. */
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*[ \t]*:(?:[ \t]|$)/;

/** A value that a YAML 1.2 core schema reads as something other than a string (`123`, `1e3`, `0x1f`, `true`, `null`). */
const NOT_A_STRING =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$/;

/**
 * The value of the top-level `name:` key as YAML would give it when that can be told from the lines alone:
 * `{ name: "shop" }` for `name: shop` (or `'shop'`, `"shop"`, with a comment after it), `{ name: undefined }`
 * when the file has no top-level `name:`, and undefined when only a parser can tell (`name: 123` is a number). For a file that parses, the answer is the parser's; for one that does not, a plain `name:` line is
 * still read, so a stack started before an edit broke the file can still be found by its name.
 */
export function plainName(text: string): { name: string | undefined } | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let found: { name: string | undefined } | undefined;
  let top = false;
  for (const [index, line] of lines.entries()) {
    if (/^[ \t]*(#|$)/.test(line)) continue;
    // Lines under a top-level key; before the first one, the top level itself is indented.
    if (/^[ \t]/.test(line)) {
      if (!top) return undefined;
      continue;
    }
    top = true;
    // Only `key: …` lines at the top: anything else (a document marker, a directive, a flow collection, a
    // quoted or explicit key, a sequence) is the parser's to read.
    if (!PLAIN_KEY.test(line)) return undefined;
    if (!/^name[ \t]*:/.test(line)) continue;
    // A second `name:` is a duplicate key, which the parser refuses.
    if (found) return undefined;
    const value = valueOf(line.slice(line.indexOf(":") + 1), lines[index + 1]);
    if (value === undefined) return undefined;
    found = { name: value };
  }
  return found ?? { name: undefined };
}

/** The scalar after `name:`, `""` for none at all; undefined when it is not one a line can read. */
function valueOf(rest: string, next: string | undefined): string | undefined {
  // A value that goes on, indented, on the next line (a multi-line scalar, or a map under `name:`).
  if (next !== undefined && /^[ \t]+[^ \t#]/.test(next)) return undefined;
  const text = rest.replace(/[ \t]+#.*$/, "").trim();
  if (text === "") return undefined;
  const quoted = /^"([A-Za-z0-9_ .-]*)"$/.exec(text) ?? /^'([A-Za-z0-9_ .-]*)'$/.exec(text);
  if (quoted) return quoted[1];
  if (!/^[A-Za-z0-9_.-][A-Za-z0-9_ .-]*$/.test(text) || NOT_A_STRING.test(text)) return undefined;
  return text;
}
