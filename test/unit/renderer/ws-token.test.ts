/** The browser host's token: taken from the link once, then kept in this tab's sessionStorage only. */
import { describe, expect, it } from 'vitest';
import { takeToken } from '../../../renderer/src/lib/ws-transport.js';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

function recordingHistory(): { replaceState: History['replaceState']; urls: (string | URL | null | undefined)[] } {
  const urls: (string | URL | null | undefined)[] = [];
  return { urls, replaceState: (_data, _unused, url) => void urls.push(url) };
}

describe('the browser host token', () => {
  it('moves from the link into this tab’s storage, leaves the address bar, and survives a reload', () => {
    const storage = memoryStorage();
    const history = recordingHistory();
    expect(takeToken({ hash: '#token=abc123', pathname: '/', search: '' }, storage, history)).toBe('abc123');
    expect(history.urls).toEqual(['/']);
    // The reload: the address bar has no token any more.
    expect(takeToken({ hash: '', pathname: '/', search: '' }, storage, history)).toBe('abc123');
    expect(history.urls).toEqual(['/']);
  });

  it('a newer link replaces the token kept', () => {
    const storage = memoryStorage();
    takeToken({ hash: '#token=old', pathname: '/', search: '' }, storage, recordingHistory());
    expect(takeToken({ hash: '#token=new', pathname: '/', search: '' }, storage, recordingHistory())).toBe('new');
  });

  it('never reads a token from the query string, which reaches the server', () => {
    expect(takeToken({ hash: '', pathname: '/', search: '?token=abc123' }, memoryStorage(), recordingHistory())).toBeUndefined();
  });
});
