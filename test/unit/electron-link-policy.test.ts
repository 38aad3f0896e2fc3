/**
 * The Electron shell's decision on links leaving the app (main/electron/link-policy.ts). The page shows
 * contacts' URLs; a script in it calling window.open must open nothing, and a click opens one https link.
 * The Electron wiring itself is covered by test/e2e/electron.spec.ts where the binary exists.
 */
import { describe, expect, it } from 'vitest';
import { ExternalLinkPolicy, externalHttpsUrl, GESTURE_WINDOW_MS } from '../../main/electron/link-policy.js';

const LINK = 'https://romeo.example/page';

describe('opening a contact’s link in the system browser', () => {
  it('opens nothing when a script asks without any user input (window.open on page load)', () => {
    const policy = new ExternalLinkPolicy();
    expect(policy.decide(LINK, 1_000)).toBeUndefined();
  });

  it('opens nothing after input that is not the user acting: moves, wheel, key releases, Escape', () => {
    const policy = new ExternalLinkPolicy();
    for (const type of ['mouseMove', 'mouseEnter', 'mouseWheel', 'keyUp', 'char', 'contextMenu', 'gestureScrollBegin']) {
      policy.noteInput({ type }, 1_000);
    }
    policy.noteInput({ type: 'rawKeyDown', keyCode: 'Escape' }, 1_000);
    expect(policy.decide(LINK, 1_010)).toBeUndefined();
  });

  it('opens an https link right after a click or a key press', () => {
    const click = new ExternalLinkPolicy();
    click.noteInput({ type: 'mouseDown' }, 1_000);
    click.noteInput({ type: 'mouseUp' }, 1_080);
    expect(click.decide(LINK, 1_090)).toBe(LINK);

    const enter = new ExternalLinkPolicy();
    enter.noteInput({ type: 'rawKeyDown', keyCode: 'Enter' }, 1_000);
    expect(enter.decide(LINK, 1_005)).toBe(LINK);
  });

  it('lets one click open one link: a script cannot ride on it to open a second', () => {
    const policy = new ExternalLinkPolicy();
    policy.noteInput({ type: 'mouseUp' }, 1_000);
    expect(policy.decide(LINK, 1_001)).toBe(LINK);
    expect(policy.decide('https://evil.example/', 1_002)).toBeUndefined();
  });

  it(`opens nothing once the click is more than ${GESTURE_WINDOW_MS} ms old (a timer set on an earlier click)`, () => {
    const policy = new ExternalLinkPolicy();
    policy.noteInput({ type: 'mouseUp' }, 1_000);
    expect(policy.decide(LINK, 1_000 + GESTURE_WINDOW_MS + 1)).toBeUndefined();
  });

  it.each([
    ['http', 'http://romeo.example/'],
    ['javascript', 'javascript:alert(1)'],
    ['file', 'file:///etc/passwd'],
    ['a custom scheme', 'ms-msdt:/id PCWDiagnostic'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['credentials in the URL', 'https://user:pass@romeo.example/'],
    ['no URL at all', 'romeo.example'],
    ['an over-long URL', `https://romeo.example/${'a'.repeat(3000)}`],
  ])('refuses %s even right after a click, and keeps the click for a real link', (_what, url) => {
    const policy = new ExternalLinkPolicy();
    policy.noteInput({ type: 'mouseUp' }, 1_000);
    expect(policy.decide(url, 1_001)).toBeUndefined();
    expect(policy.decide(LINK, 1_002)).toBe(LINK);
  });

  it('hands the browser the parsed, normalised URL', () => {
    expect(externalHttpsUrl('HTTPS://Romeo.Example/a b')).toBe('https://romeo.example/a%20b');
  });
});
