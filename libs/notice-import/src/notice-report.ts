/** Something found at a line of the notice; line 0 means the notice as a whole (something missing). */
export interface NoticeProblem {
  line: number;
  message: string;
}

export type NoticeWarning = NoticeProblem;

/** Collects every problem rather than stopping at the first, so one run shows the whole repair list. */
export class NoticeReport {
  readonly problems: NoticeProblem[] = [];
  readonly warnings: NoticeWarning[] = [];

  problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  warning(line: number, message: string): void {
    this.warnings.push({ line, message });
  }
}

export class NoticeImportError extends Error {
  constructor(readonly problems: NoticeProblem[]) {
    super(
      `the notice cannot be imported: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((problem) => `- ${problem.message}`).join('\n'),
    );
    this.name = 'NoticeImportError';
  }
}

/** Document order, with whole-notice problems first; stable, so problems on one line keep their order. */
export function byLine<T extends NoticeProblem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.line - b.line);
}
