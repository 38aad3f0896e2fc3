/**
 * Who may read what a command publishes (XEP-0060 §4.5 access models, as XEP-0222 uses them), the same
 * four options on every command that publishes: --access, --group, --allow, --reconfigure.
 */
import { Option, type Command } from 'commander';
import { ACCESS_MODELS, AccessParams, type AccessModel, type AccessRequest } from '../../contract/index.js';
import { must } from './context.js';
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

/**
 * The access and reconfigure parameters of a publish request, checked as main checks them (the
 * contract's schema) before anything opens or signs in: a refused --allow or --group is a usage error
 * naming the option, not a failure after connecting.
 */
export function accessParams(options: AccessOptions): { access: AccessRequest; reconfigure?: true } {
  const access: AccessRequest = {
    model: options.access,
    ...(options.group.length ? { groups: options.group } : {}),
    ...(options.allow.length ? { allow: options.allow } : {}),
  };
  const read = AccessParams.safeParse(access);
  if (!read.success) {
    const issue = read.error.issues[0];
    must({ ok: false, error: { code: 'invalid-argument', message: issue?.message ?? 'Not a valid choice', field: ['access', ...(issue?.path ?? []).map(String)].join('.') } });
  }
  return { access, ...(options.reconfigure ? { reconfigure: true as const } : {}) };
}
