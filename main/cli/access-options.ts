/**
 * Who may read what a command publishes (XEP-0060 §4.5 access models, as XEP-0222 uses them), the same
 * four options on every command that publishes: --access, --group, --allow, --reconfigure.
 */
import { Option, type Command } from 'commander';
import { ACCESS_MODELS, type AccessModel, type AccessRequest } from '../../contract/index.js';
import { repeatable } from './option-values.js';

export interface AccessOptions {
  access: AccessModel;
  group: string[];
  allow: string[];
  reconfigure?: boolean;
}

/** Adds the access options to `command`; `reconfigure` says what --reconfigure allows there. */
export function withAccessOptions(command: Command, reconfigure: string): Command {
  return command
    .addOption(new Option('--access <model>', 'who may read it').choices(ACCESS_MODELS).makeOptionMandatory())
    .option('--group <name>', 'roster group allowed (repeat for several)', repeatable, [])
    .option('--allow <jid>', 'contact allowed on the whitelist (repeat for several)', repeatable, [])
    .option('--reconfigure', reconfigure);
}

/** The access and reconfigure parameters of a publish request. */
export function accessParams(options: AccessOptions): { access: AccessRequest; reconfigure?: true } {
  return {
    access: {
      model: options.access,
      ...(options.group.length ? { groups: options.group } : {}),
      ...(options.allow.length ? { allow: options.allow } : {}),
    },
    ...(options.reconfigure ? { reconfigure: true as const } : {}),
  };
}
