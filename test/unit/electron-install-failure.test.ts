/**
 * `npm start` where the Electron binary cannot be downloaded says why in words, not in the HTTP
 * library's: "RequestError: getaddrinfo ENOTFOUND github.com" becomes "its download site, github.com,
 * cannot be reached from this machine".
 */
import { describe, expect, it } from 'vitest';
import { describeInstallFailure } from '../../scripts/electron-binary.mjs';

describe('why the Electron binary could not be fetched', () => {
  it.each([
    ['RequestError: getaddrinfo ENOTFOUND github.com\n    at ClientRequest…', 'its download site, github.com, cannot be reached from this machine'],
    ['RequestError: connect ECONNREFUSED 140.82.121.4:443', 'its download site, 140.82.121.4, cannot be reached from this machine'],
    ['RequestError: getaddrinfo EAI_AGAIN objects.githubusercontent.com', 'its download site, objects.githubusercontent.com, cannot be reached from this machine'],
  ])('%s → a site that cannot be reached', (stderr, reason) => {
    expect(describeInstallFailure(stderr, 1)).toBe(reason);
  });

  it('keeps any other first line, and never gives an empty reason', () => {
    expect(describeInstallFailure('\nHTTPError: Response code 404 (Not Found)\n', 1)).toBe('HTTPError: Response code 404 (Not Found)');
    expect(describeInstallFailure('', 1)).toBe('its installer stopped (exit code 1) without saying why');
    expect(describeInstallFailure('  \n ', null)).toBe('its installer stopped (exit code none) without saying why');
  });
});
