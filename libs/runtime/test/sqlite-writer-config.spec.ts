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
