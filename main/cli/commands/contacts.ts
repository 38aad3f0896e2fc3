/** `keyring contacts …`: the roster, and what a contact publishes. */
import type { Command } from 'commander';
import { CliError, must, type CliContext } from '../context.js';
import { describeContactKeys, describeContacts, describeOtherKeys, safe } from '../output.js';

export function contactsCommands(program: Command, cli: CliContext): void {
  const contacts = program.command('contacts').description('your contacts and their keys');
  contacts
    .command('list')
    .description('roster with groups and subscription states')
    .action(() =>
      cli.online(async (api) => {
        const roster = must(await api.roster.list());
        cli.emit(roster, describeContacts(roster));
      }),
    );
  contacts
    .command('keys <jid>')
    .description('fetch that contact’s published keys now, with validity, JID binding and trust')
    .action((jid: string) =>
      cli.online(async (api) => {
        const view = must(await api.contacts.fetchKeys({ jid }));
        if (view.fetch === 'refused') {
          throw new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their keys (${safe(view.detail ?? 'refused')}).` }, 1);
        }
        if (view.fetch === 'unreachable') {
          // Not "no keys": nothing is known about them (their server is down, or the link to it hangs).
          throw new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'keys', view.detail) }, 1);
        }
        if (view.fetch === 'failed') {
          throw new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s keys (${safe(view.detail ?? 'error')}).` }, 1);
        }
        cli.emit(view, describeContactKeys(view));
      }),
    );
  contacts
    .command('devices <jid>')
    .description('that contact’s OMEMO devices and OpenPGP keys, as other apps show them, with changes since last time')
    .action((jid: string) =>
      cli.online(async (api) => {
        const view = must(await api.devices.fetchContact({ jid }));
        const unreachable = view.sources.find((s) => s.status === 'unreachable');
        if (unreachable && view.sources.every((s) => s.status === 'unreachable')) {
          throw new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'devices', unreachable.detail) }, 1);
        }
        cli.emit(view, describeOtherKeys(view));
      }),
    );
}

/** A contact whose server could not be reached: said as such, never as "publishes nothing". */
export function unreachableMessage(jid: string, what: 'keys' | 'profile' | 'devices', detail: string | undefined): string {
  return `Their server is unreachable: could not fetch ${jid}'s ${what} (${safe(detail ?? 'no answer')}).`;
}
