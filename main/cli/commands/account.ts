/** `keyring account …`: the account and what its server can do. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { describeSupport } from '../output.js';

export function accountCommands(program: Command, cli: CliContext): void {
  const account = program.command('account').description('your account and its server');
  cli.show(account, 'check', 'what the server supports: PEP, publish-options, access models, other pubsub features', (api) => api.account.checkSupport(), describeSupport);
}
