/** How often a terminal's progress line is redrawn at most. */
const redrawEveryMs = 100;
/** Without a terminal, a line each time the rebuild passes another tenth of the log. */
const stepsWithoutTerminal = 10;

/** The progress line of `earmark replay`, on stderr so that stdout keeps its one-line summary. */
export function replayProgress(out: NodeJS.WriteStream, headPosition: bigint, now: () => number = Date.now) {
  const percent = (position: bigint): number => (headPosition === 0n ? 100 : Number((position * 100n) / headPosition));
  const line = (position: bigint): string => `rebuilding read models: position ${position} of ${headPosition} (${percent(position)}%)`;
  let lastDrawMs = 0;
  let lastStep = 0;
  let drawn = false;
  return {
    update(position: bigint): void {
      if (out.isTTY) {
        if (now() - lastDrawMs < redrawEveryMs && position < headPosition) return;
        lastDrawMs = now();
        out.write(`\r${line(position)}`);
        drawn = true;
        return;
      }
      const step = Math.floor((percent(position) * stepsWithoutTerminal) / 100);
      if (step > lastStep) {
        lastStep = step;
        out.write(`${line(position)}\n`);
      }
    },
    done(): void {
      if (drawn) out.write('\n');
    },
  };
}
