/**
 * One request-size cap for both transports (contract/limits.ts MAX_REQUEST_BYTES): the browser host enforces it as
 * the WebSocket's maxPayload, Electron IPC by measuring the parameters in main before dispatching. It
 * must let through the largest request the contract accepts, and refuse anything bigger with a clear
 * invalid-argument value rather than handing it to the dispatcher.
 */
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { refuseOversizedRequest } from '../../main/ipc/request-size.js';
import { MAX_REQUEST_BYTES } from '../../contract/limits.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { CONTRACT } from '../../contract/index.js';

const access = { model: 'presence' as const };

describe('the request size cap shared by Electron IPC and the browser host', () => {
  it('lets the largest avatar and the largest key import the contract accepts through, on both wires', () => {
    const avatar = { dataBase64: 'A'.repeat(Math.ceil(PROFILE_LIMITS.avatarUploadBytes / 3) * 4), access };
    const keyFiles = { files: Array.from({ length: 4 }, () => 'A'.repeat(1_400_000)), password: 'x'.repeat(1024) };
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse(avatar).success).toBe(true);
    expect(CONTRACT.keys.requests.import.params.safeParse(keyFiles).success).toBe(true);
    for (const [channel, params] of [
      ['profile:setAvatar', avatar],
      ['keys:import', keyFiles],
    ] as const) {
      expect(refuseOversizedRequest(params)).toBeUndefined();
      // The browser host's WebSocket carries the JSON message around the same parameters.
      expect(Buffer.byteLength(JSON.stringify({ id: 1, channel, params }))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
  });

  it('refuses a request one byte over the cap, measured as Electron serializes it, before any handler', () => {
    // The serialized form around one long string (its length is a varint, so measure it at this size).
    const probe = MAX_REQUEST_BYTES - 64;
    const header = serialize({ files: ['A'.repeat(probe)] }).byteLength - probe;
    const atCap = { files: ['A'.repeat(MAX_REQUEST_BYTES - header)] };
    expect(serialize(atCap).byteLength).toBe(MAX_REQUEST_BYTES);
    expect(refuseOversizedRequest(atCap)).toBeUndefined();
    const over = { files: ['A'.repeat(MAX_REQUEST_BYTES - header + 1)] };
    expect(refuseOversizedRequest(over)).toEqual({
      ok: false,
      error: { code: 'invalid-argument', message: `This request is larger than the ${Math.floor(MAX_REQUEST_BYTES / 2 ** 20)} MiB the app accepts.` },
    });
  });

  it('counts what the schema never looks at: many small values, binary data, text of two-byte characters', () => {
    expect(refuseOversizedRequest({ jid: 'a@b.c', extra: Array.from({ length: 2_000_000 }, (_, i) => i * 1.5) })).toMatchObject({ ok: false });
    expect(refuseOversizedRequest({ jid: 'a@b.c', extra: new Uint8Array(MAX_REQUEST_BYTES) })).toMatchObject({ ok: false });
    expect(refuseOversizedRequest({ note: '✓'.repeat(MAX_REQUEST_BYTES / 2 + 1) })).toMatchObject({ ok: false });
  });
});
