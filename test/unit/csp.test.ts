import { describe, expect, it } from 'vitest';
import { CSP_HEADER, CSP_META, SECURITY_HEADERS } from '../../main/security/csp.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('the renderer Content Security Policy', () => {
  it('allows only the app itself: no inline code, no eval, no remote origin', () => {
    for (const policy of [CSP_HEADER, CSP_META]) {
      const d = directives(policy);
      expect(d.get('default-src')).toEqual(["'none'"]);
      expect(d.get('script-src')).toEqual(["'self'"]);
      expect(d.get('style-src')).toEqual(["'self'"]);
      expect(d.get('connect-src')).toEqual(["'self'"]);
      expect(d.get('object-src')).toEqual(["'none'"]);
      expect(policy).not.toMatch(/unsafe-|https?:|\*/);
    }
  });

  it('forbids framing in the header (a meta tag cannot)', () => {
    expect(directives(CSP_HEADER).get('frame-ancestors')).toEqual(["'none'"]);
    expect(CSP_META).not.toContain('frame-ancestors');
    expect(SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
  });
});
