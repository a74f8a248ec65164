/** One file of an export: where it goes (relative to `-o`, or the name to use without one) and its text. */
export interface ExportFile {
  name: string;
  text: string;
}

/** What an export gives: its files, and every thing it could not carry over, as one line each. */
export interface ExportResult {
  files: ExportFile[];
  warnings: string[];
}
