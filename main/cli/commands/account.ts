/** `keyring account …`: the account and what its server can do. */
import type { Command } from 'commander';
import { must, type CliContext } from '../context.js';
import { describeSupport } from '../output.js';

export function accountCommands(program: Command, cli: CliContext): void {
  const account = program.command('account').description('your account and its server');
  account
    .command('check')
    .description('what the server supports: PEP, publish-options, access models, other pubsub features')
    .action(() =>
      cli.online(async (api) => {
        const support = must(await api.account.checkSupport());
        cli.emit(support, describeSupport(support));
      }),
    );
}
