/** `keyring devices …`: the OMEMO devices and OpenPGP keys your other clients published under your address. */
import type { Command } from 'commander';
import { CliError, must, type CliContext } from '../context.js';
import { describeOtherKeys } from '../output.js';

export function devicesCommands(program: Command, cli: CliContext): void {
  const devices = program.command('devices').description('OMEMO devices and OpenPGP keys your other clients published');
  cli.show(devices, 'list', 'your devices and keys, stale ones flagged', (api) => api.devices.own(), describeOtherKeys);
  devices
    .command('remove <id>')
    .description('take an OMEMO device off your published device list (every list that names it, or --protocol)')
    .option('--protocol <protocol>', 'omemo (eu.siacs.conversations.axolotl) or omemo2 (urn:xmpp:omemo:2)')
    .action((id: string, options: { protocol?: string }) =>
      cli.online(async (api) => {
        const deviceId = deviceIdOf(id);
        if (deviceId === undefined) throw new CliError({ code: 'invalid-argument', message: `A device id is a number from 1 to ${2 ** 31 - 1}.` }, 2);
        if (options.protocol !== undefined && options.protocol !== 'omemo' && options.protocol !== 'omemo2') {
          throw new CliError({ code: 'invalid-argument', message: '--protocol is omemo or omemo2.' }, 2);
        }
        const own = must(await api.devices.own());
        const lists = [...new Set(own.keys.filter((k) => k.deviceId === deviceId && k.state !== 'removed' && k.protocol !== 'openpgp').map((k) => k.protocol))];
        const chosen = (options.protocol === undefined ? lists : lists.filter((p) => p === options.protocol)) as ('omemo' | 'omemo2')[];
        if (chosen.length === 0) throw new CliError({ code: 'not-found', message: `Device ${deviceId} is not on your published device list.` }, 1);
        let view = own;
        for (const protocol of chosen) view = must(await api.devices.removeOwn({ protocol, deviceId }));
        cli.emit(view, `Removed device ${deviceId} from your published device list.\n${describeOtherKeys(view)}`);
      }),
    );
}

/** XEP-0384 §5.1: a device id is a number from 1 to 2^31 - 1 (up to 10 digits; Profanity's use all 10). */
function deviceIdOf(text: string): number | undefined {
  const value = /^\d{1,10}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  return Number.isSafeInteger(value) && value >= 1 && value <= 2 ** 31 - 1 ? value : undefined;
}
