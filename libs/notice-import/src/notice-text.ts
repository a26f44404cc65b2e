/**
 * The notice as the importer sees it: numbered lines, each split into tab-separated cells, because
 * every table in the text form is a tab-separated row and every problem must name its line.
 */
export interface SourceLine {
  /** 1-based, as an editor shows it. */
  readonly line: number;
  readonly text: string;
  readonly cells: readonly string[];
}

export function splitNotice(text: string): SourceLine[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, index) => ({ line: index + 1, text: raw, cells: raw.split('\t').map((cell) => cell.trim()) }));
}

/**
 * Folds what a label may vary in without changing its meaning: full-width and half-width
 * punctuation and digits (`（万元）` / `(万元)`, `年度金额：` / `年度金额:`) and the spaces a page
 * layout puts inside a label (`地 区`). Only for recognising labels; values keep their text.
 */
export function labelOf(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

/** A line without spaces, for matching prose that the layout may have broken up (`2024 年`). */
export function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

export function isTableRow(line: SourceLine): boolean {
  return line.cells.length > 1 && line.cells.some((cell) => cell !== '');
}

/** The first non-empty cell after `index`: merged cells leave empty ones between a label and its value. */
export function valueAfter(cells: readonly string[], index: number): string | null {
  for (let i = index + 1; i < cells.length; i++) {
    if (cells[i] !== '') return cells[i];
  }
  return null;
}
