import { loadConfig } from '../src/config/earmark-config';

describe('checkpoint settings from the environment', () => {
  it('default to every 1000 events or 60 seconds', () => {
    expect(loadConfig({})).toMatchObject({ checkpointEveryEvents: 1_000, checkpointSeconds: 60, signingKeyFile: null });
  });

  it('take whole numbers', () => {
    expect(loadConfig({ EARMARK_CHECKPOINT_EVERY: '250', EARMARK_CHECKPOINT_SECONDS: '5' })).toMatchObject({
      checkpointEveryEvents: 250,
      checkpointSeconds: 5,
    });
  });

  it.each([
    ['EARMARK_CHECKPOINT_EVERY', '0'],
    ['EARMARK_CHECKPOINT_EVERY', '1e3'],
    ['EARMARK_CHECKPOINT_EVERY', '-5'],
    ['EARMARK_CHECKPOINT_SECONDS', '2.5'],
    // Longer than a Node timer can wait: it would fire at once, over and over.
    ['EARMARK_CHECKPOINT_SECONDS', '2147484'],
  ])('refuse %s=%s rather than checkpoint on a setting nobody meant', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name} must be a whole number from 1 to `);
  });
});
