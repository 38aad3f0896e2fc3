/** `keyring profile …`: the user's public profile (vCard4, nickname, avatar) and contacts'. */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AvatarInfoView, EffectiveNodeConfig } from '../../../contract/index.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';
import { applyFieldEdits, editableProfile, parseFieldEdits, PROFILE_FIELDS } from '../../profile/field-edits.js';
import { readImageHeader } from '../../profile/image-header.js';
import { accessParams, withAccessOptions, type AccessOptions } from '../access-options.js';
import { CliError, must, usage, type CliContext } from '../context.js';
import { cropOption, repeatable } from '../option-values.js';
import { describeNodeConfigs, describeProfile, safe } from '../output.js';
import { unreachableMessage } from './contacts.js';

export function profileCommands(program: Command, cli: CliContext): void {
  const profile = program.command('profile').description('your public profile (vCard4, nickname, avatar) and your contacts’');
  profile
    .command('show [jid]')
    .description('your profile as your server holds it (with each node’s configuration), or a contact’s')
    .action((jid: string | undefined) =>
      cli.online(async (api) => {
        if (jid === undefined) {
          const own = must(await api.profile.get());
          const configs = own.configs.length ? `\n\n${describeNodeConfigs(own.configs)}` : '\n\nNo profile node published yet.';
          cli.emit(own, describeProfile(own) + configs);
          return;
        }
        const view = must(await api.contacts.fetchProfile({ jid }));
        // Nothing readable and something refused: one clear line, as `contacts keys` does.
        const refused = view.sources.find((s) => s.status === 'refused' || s.status === 'unreachable' || s.status === 'failed');
        if (refused && !view.sources.some((s) => s.status === 'ok' || s.status === 'invalid')) {
          const detail = safe(refused.detail ?? refused.status);
          throw refused.status === 'refused'
            ? new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their profile (${detail}).` }, 1)
            : refused.status === 'unreachable'
              ? new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'profile', refused.detail) }, 1)
              : new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s profile (${detail}).` }, 1);
        }
        cli.emit(view, describeProfile(view));
      }),
    );
  withAccessOptions(
    profile
      .command('set')
      .description('publish your profile per XEP-0222 (vCard4 + nickname, and the avatar with --avatar); prints the node configurations read back')
      .option('--field <name=value>', `a profile field (repeat for several): ${Object.keys(PROFILE_FIELDS).join(', ')}`, repeatable, [])
      .option(
        '--avatar <file>',
        'a PNG or JPEG picture; the app cuts a square from it (the centre one, or --crop), scales it down to at most 256×256 and publishes it as PNG (XEP-0084)',
      )
      .option('--crop <x,y,size>', 'with --avatar: the square to cut, in pixels of the picture shown upright (left edge, top edge, side)', cropOption),
    'allow changing the access of already published nodes',
  )
    .option('--replace', 'publish only the fields given, without reading the published profile first')
    .addHelpText(
      'after',
      '\nFields you do not name keep their published value (unless --replace); NAME= (empty) removes one.\n' +
        'Repeating email, phone or url gives several.',
    )
    .action(async (options: AccessOptions & { field: string[]; avatar?: string; crop?: { x: number; y: number; size: number }; replace?: boolean }) => {
      const edits = parseFieldEdits(options.field);
      if (edits.length === 0 && options.avatar === undefined) throw usage('Give at least one --field NAME=VALUE or --avatar FILE.');
      if (options.crop && options.avatar === undefined) throw usage('--crop goes with --avatar FILE.');
      const access = accessParams(options);
      const image = options.avatar === undefined ? undefined : await readAvatarFile(options.avatar);
      return cli.online(async (api) => {
        const result: { configs: EffectiveNodeConfig[]; avatar?: AvatarInfoView; queued?: boolean } = { configs: [] };
        if (edits.length > 0) {
          const base = options.replace ? { emails: [], phones: [], urls: [] } : editableProfile(must(await api.profile.get()));
          if ('problem' in base) {
            throw new CliError(
              {
                code: 'protocol-error',
                message: `Cannot read your published vCard to keep the fields you do not name (${safe(base.problem)}); give every field with --replace.`,
              },
              1,
            );
          }
          // The profile read is sent as what the edits were made from: main publishes only the named
          // fields onto what the server holds then, so another app's change in between stays.
          const answer = must(await api.profile.publish({ profile: applyFieldEdits(base, edits), ...(options.replace ? {} : { base }), ...access }));
          // The connection dropped right then: the profile waits in the vault for the next time online.
          if (answer.outcome === 'queued') result.queued = true;
          else result.configs.push(...answer.configs);
        }
        if (image) {
          const crop = options.crop ? { crop: options.crop } : {};
          const avatar = must(await api.profile.setAvatar({ dataBase64: image.toString('base64'), ...crop, ...access }));
          result.avatar = avatar.info;
          // The profile's publish may have reported the avatar's nodes already (a confirmed change of
          // audience reaches them): each node is said once, as read back last.
          result.configs = [...result.configs.filter((c) => !avatar.configs.some((a) => a.node === c.node)), ...avatar.configs];
        }
        const avatarLine = result.avatar
          ? `avatar: ${safe(result.avatar.type)} ${safe(result.avatar.width ?? '?')}×${safe(result.avatar.height ?? '?')}, ${safe(result.avatar.bytes)} bytes, id ${safe(result.avatar.id)}\n\n`
          : '';
        cli.emit(result, (result.queued ? 'queued: will publish the profile when online\n\n' : '') + avatarLine + describeNodeConfigs(result.configs));
      });
    });
}

/** The file's bytes, refused at once (before signing in) when they are no PNG or JPEG, whatever its name. */
async function readAvatarFile(file: string): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw usage(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  if (size > PROFILE_LIMITS.avatarUploadBytes) throw usage(`${file} is over ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB.`);
  const bytes = await readFile(file);
  const header = readImageHeader(bytes);
  if ('problem' in header) throw usage(`${file} is ${header.problem}.`);
  return bytes;
}
