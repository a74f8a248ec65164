/** A value the shell reads back exactly: single-quoted, with `'` written as `'\''`; as is when that is safe. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
