import { ConfigError, loadConfig } from '../src/config/earmark-config';

describe('EARMARK_SQLITE_WRITER', () => {
  it('is inline unless set, and thread or inline when set', () => {
    expect(loadConfig({}).sqliteWriter).toBe('inline');
    expect(loadConfig({ EARMARK_SQLITE_WRITER: '' }).sqliteWriter).toBe('inline');
    expect(loadConfig({ EARMARK_SQLITE_WRITER: 'thread' }).sqliteWriter).toBe('thread');
    expect(loadConfig({ EARMARK_SQLITE_WRITER: 'inline' }).sqliteWriter).toBe('inline');
  });

  it('refuses anything else, by name', () => {
    expect(() => loadConfig({ EARMARK_SQLITE_WRITER: 'threads' })).toThrow(new ConfigError('EARMARK_SQLITE_WRITER must be thread or inline, not "threads"'));
  });
});

describe('EARMARK_SQLITE_CHECKPOINTS', () => {
  it('is background unless set, and background or inline when set', () => {
    expect(loadConfig({}).sqliteCheckpoints).toBe('background');
    expect(loadConfig({ EARMARK_SQLITE_CHECKPOINTS: '' }).sqliteCheckpoints).toBe('background');
    expect(loadConfig({ EARMARK_SQLITE_CHECKPOINTS: 'inline' }).sqliteCheckpoints).toBe('inline');
    expect(loadConfig({ EARMARK_SQLITE_CHECKPOINTS: 'background' }).sqliteCheckpoints).toBe('background');
  });

  it('refuses anything else, by name', () => {
    expect(() => loadConfig({ EARMARK_SQLITE_CHECKPOINTS: 'thread' })).toThrow(
      new ConfigError('EARMARK_SQLITE_CHECKPOINTS must be background or inline, not "thread"'),
    );
  });
});
