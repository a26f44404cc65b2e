import { pauseEvery } from '../src';

/** Long work awaits the pause between steps: it gives the event loop a turn only once its slice has run out. */
describe('pauseEvery', () => {
  it('lets other work run when the slice has run out, and not before', async () => {
    const turns: string[] = [];
    const never = pauseEvery(60_000);
    setImmediate(() => turns.push('other work'));
    await never();
    await never();
    turns.push('step');
    const always = pauseEvery(0);
    await always();
    turns.push('step after a turn');
    expect(turns).toEqual(['step', 'other work', 'step after a turn']);
  });
});
