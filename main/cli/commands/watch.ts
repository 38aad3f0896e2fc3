/** `keyring watch`: stay online and print what contacts publish as it arrives. */
import type { Command } from 'commander';
import type { ContactKeysView, ContactProfileView, EventName, EventPayload } from '../../../contract/index.js';
import type { CliContext } from '../context.js';
import { integerOption } from '../option-values.js';
import { describeContactKeys, describeProfile, jsonText, safe } from '../output.js';

/** A day: a longer watch is a service, not a command. */
const MAX_WATCH_SECONDS = 86_400;

export function watchCommand(program: Command, cli: CliContext): void {
  program
    .command('watch')
    .description('stay online and print each key event as it arrives')
    .option('--for <seconds>', 'stop after this many seconds (default: until Ctrl+C)', integerOption(1, MAX_WATCH_SECONDS, '--for'))
    .action((options: { for?: number }) =>
      cli.online(async (_api, core) => {
        const seconds = options.for;
        const stop = core.events.subscribe((event, payload) => cli.io.out(cli.json() ? jsonText({ event, payload }) : describeEvent(event, payload)));
        cli.note(`watching as ${safe(core.session.state.boundJid)}${seconds ? ` for ${seconds} s` : ''}; Ctrl+C to stop.`);
        await Promise.race([cli.io.interrupted, ...(seconds ? [new Promise((r) => setTimeout(r, seconds * 1000))] : [])]);
        stop();
      }, 'until-interrupted'),
    );
}

function describeEvent<E extends EventName>(event: E, payload: EventPayload<E>): string {
  if (event === 'contacts:profile') {
    const view = payload as ContactProfileView;
    return `${new Date().toISOString()} profile of ${safe(view.jid)} (${safe(view.origin)}: ${view.updated.map(safe).join(', ')}):\n${describeProfile(view)}`;
  }
  if (event === 'contacts:keys') {
    const view = payload as ContactKeysView;
    return `${new Date().toISOString()} keys of ${safe(view.jid)} (${safe(view.fetch)}):\n${describeContactKeys(view)}`;
  }
  // Other events as JSON: one line (JSON.stringify escapes newlines), unsafe characters escaped.
  return `${new Date().toISOString()} ${event}: ${jsonText(payload)}`;
}
