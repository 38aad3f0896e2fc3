/**
 * Failures that main words for the window get, in the keyring command, the option that fixes them:
 * --reconfigure, KEYRING_PASSPHRASE, --ca-file FILE, `keyring keys list`; never "must be confirmed",
 * "Enter the vault passphrase", "choose it as the extra CA certificate" or "under My keys".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { withAccessOptions } from '../../main/cli/access-options.js';
import { CliError, forCommand, inCliWords, must } from '../../main/cli/context.js';
import { runCli } from '../../main/cli/program.js';
import { KeyringError } from '../../main/errors.js';
import { OWN_ADDRESS_WORDS } from '../../main/services/contact-keys.js';
import { VAULT_LOCKED_WORDS } from '../../main/vault/vault.js';
import { classifyConnectionError } from '../../main/xmpp/connection-errors.js';

/** The one line the command prints for a failed request. */
const line = (error: KeyringError) => {
  try {
    must({ ok: false, error: error.toIpcError() });
  } catch (thrown) {
    if (thrown instanceof CliError) return thrown.message;
  }
  throw new Error('not refused');
};

describe('the command says which option fixes it', () => {
  it('a change of who may read: run again with --reconfigure', () => {
    expect(line(new KeyringError('access-model-conflict', 'Who can read your keys is set on the server to Anyone. Changing it to Only the contacts you chose must be confirmed.'))).toBe(
      'Who can read your keys is set on the server to Anyone. Changing it to Only the contacts you chose must be confirmed. Run again with --reconfigure to change it.',
    );
  });

  it('…but only to a command that has --reconfigure and was run without it; any other is told to run again', async () => {
    const conflict = () => {
      try {
        must({ ok: false, error: new KeyringError('access-model-conflict', 'Who can read your keys changed on the server while the app was setting it. Nothing was published.').toIpcError() });
      } catch (thrown) {
        if (thrown instanceof CliError) return thrown;
      }
      throw new Error('not refused');
    };
    /** The command as commander has it once `args` are parsed. */
    const parsed = async (command: Command, args: string[]) => {
      await command.action(() => undefined).parseAsync(args, { from: 'user' });
      return command;
    };
    const publish = () => withAccessOptions(new Command('publish'), 'confirm the change');
    expect(forCommand(conflict(), await parsed(publish(), ['--access', 'open'])).message).toMatch(/Run again with --reconfigure to change it\.$/);
    const again = 'Nothing was published. Run the same command again: it starts from what your server has now.';
    // Already confirmed, and refused because another client changed the audience meanwhile.
    expect(forCommand(conflict(), await parsed(publish(), ['--access', 'open', '--reconfigure'])).message).toMatch(new RegExp(`${again}$`));
    // `doctor --repair` has no such option.
    expect(forCommand(conflict(), await parsed(new Command('doctor').option('--repair'), ['--repair'])).error.nextStep).toBe(again.replace('Nothing was published. ', ''));
  });

  it('a locked vault, or a new one without a keychain: KEYRING_PASSPHRASE', () => {
    expect(line(new KeyringError('vault-locked', VAULT_LOCKED_WORDS.locked))).toBe('Your keys are locked with a passphrase. Set KEYRING_PASSPHRASE to the vault passphrase.');
    expect(line(new KeyringError('vault-locked', VAULT_LOCKED_WORDS.noKeychain))).toBe(
      'No OS keychain is available to protect your keys. Set KEYRING_PASSPHRASE to a passphrase of at least 8 characters.',
    );
  });

  it('a server whose CA is not trusted: --ca-file FILE', () => {
    for (const code of ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT']) {
      const refused = classifyConnectionError(Object.assign(new Error('untrusted'), { code }), 'capulet.lit:5222');
      const said = line(refused);
      expect(said).toContain('give it with --ca-file FILE');
      expect(said).not.toContain('extra CA certificate for this account');
    }
  });

  it('one’s own address asked as a contact’s: keyring keys list', () => {
    expect(line(new KeyringError('invalid-argument', OWN_ADDRESS_WORDS, 'jid'))).toBe('jid: That is your own address. Your own keys: keyring keys list.');
  });

  it('anything else is left as main said it', () => {
    const error = { code: 'timeout' as const, message: 'capulet.lit:5222 did not answer in time.' };
    expect(inCliWords(error)).toEqual(error);
  });
});

describe('the command run without a passphrase', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-words-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a new vault names KEYRING_PASSPHRASE, not a screen to choose one on', async () => {
    const err: string[] = [];
    const code = await runCli(['--jid', 'juliet@capulet.lit', '--data-dir', dataDir, 'keys', 'list'], {
      out: () => undefined,
      err: (text) => err.push(text),
      env: {},
      interrupted: new Promise(() => undefined),
    });
    expect(code).toBe(1);
    expect(err).toEqual(['keyring: No OS keychain is available to protect your keys. Set KEYRING_PASSPHRASE to a passphrase of at least 8 characters.']);
  });
});
