import { replayProgress } from '../src/replay-progress';

/** A stand-in for process.stderr that records what is written: the real one cannot be read back. */
function recordingStream(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => (written.push(text), true) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('earmark replay progress line', () => {
  it('on a terminal: redrawn in place at most every 100 ms, always at the end, then a newline', () => {
    const { stream, written } = recordingStream(true);
    let nowMs = 1_000;
    const progress = replayProgress(stream, 40_000n, () => nowMs);
    progress.update(10_000n);
    nowMs += 50;
    progress.update(20_000n);
    nowMs += 60;
    progress.update(30_000n);
    progress.update(40_000n);
    progress.done();
    expect(written).toEqual([
      '\rrebuilding read models: position 10000 of 40000 (25%)',
      '\rrebuilding read models: position 30000 of 40000 (75%)',
      '\rrebuilding read models: position 40000 of 40000 (100%)',
      '\n',
    ]);
  });

  it('without a terminal: a line for each tenth of the log passed, nothing at the end', () => {
    const { stream, written } = recordingStream(false);
    const progress = replayProgress(stream, 100n);
    for (const position of [5n, 10n, 15n, 35n, 100n]) progress.update(position);
    progress.done();
    expect(written).toEqual([
      'rebuilding read models: position 10 of 100 (10%)\n',
      'rebuilding read models: position 35 of 100 (35%)\n',
      'rebuilding read models: position 100 of 100 (100%)\n',
    ]);
  });
});
