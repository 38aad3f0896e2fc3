/**
 * `keyring doctor`: whether each node the app published still holds what it recorded, or another
 * client of the account changed it (docs/drift.md). Exit 1 when anything drifted or could not be read;
 * `--repair` restores the drifted nodes and prints what the server says afterwards.
 */
import type { Command } from 'commander';
import type { DriftReport, NodeDriftView, NodeRepair } from '../../../contract/index.js';
import { capitalized, describeAudience, describeDriftFinding, describeUnchecked, describeUnfinishedChange, WATCHED_NODE_NAME } from '../../../contract/format.js';
import { CliError, must, type CliContext } from '../context.js';
import { safe } from '../output.js';

export function doctorCommand(program: Command, cli: CliContext): void {
  program
    .command('doctor')
    .description('check that what you published is still as you published it; exit 1 when another app changed it')
    .option('--repair', 'put drifted nodes back as you published them, then read them back')
    .action((options: { repair?: boolean }) =>
      cli.online(async (api) => {
        if (options.repair) {
          const answer = must(await api.drift.restore({}));
          cli.emit(answer, [...answer.repaired.map(describeRepair), 'Read back:', describeReport(answer.report)].join('\n'));
          failIfDrifted(answer.report, (names) => `Still not as you published ${names} after restoring.`);
        } else {
          const report = must(await api.drift.check());
          cli.emit(report, describeReport(report));
          failIfDrifted(report, (names, them, unfinished) =>
            unfinished
              ? `${capitalized(names)} ${them === 'them' ? 'are' : 'is'} not as you published ${them} (a change made here may have been cut off): \`keyring doctor --repair\` puts ${them} back.`
              : `Another app changed ${names} since you published ${them}: \`keyring doctor --repair\` puts ${them} back.`,
          );
        }
      }),
    );
}

/** The nodes named as one phrase ("your keys and your picture"), and the pronoun that stands for them. */
function named(nodes: readonly NodeDriftView[]): [string, string] {
  const names = nodes.map((n) => WATCHED_NODE_NAME[n.kind]);
  const phrase = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}` : (names[0] ?? '');
  return [phrase, names.length > 1 || nodes[0]?.kind === 'keys' ? 'them' : 'it'];
}

/** `sentence` gets the drifted nodes' names, their pronoun, and whether a change made here may explain any of them. */
function failIfDrifted(report: DriftReport, sentence: (names: string, them: string, unfinished: boolean) => string): void {
  const drifted = report.nodes.filter((n) => n.severity !== undefined);
  const unread = report.nodes.filter((n) => n.error !== undefined);
  if (drifted.length > 0) {
    throw new CliError({ code: 'precondition-not-met', message: sentence(...named(drifted), drifted.some((n) => n.unfinishedChange !== undefined)) }, 1);
  }
  if (unread.length > 0) {
    const [names, them] = named(unread);
    throw new CliError({ code: 'protocol-error', message: `Could not read ${names}: whether another app changed ${them} is not known.` }, 1);
  }
}

export function describeReport(report: DriftReport): string {
  if (report.nodes.length === 0) return 'Nothing published from this app yet: nothing to check.';
  return report.nodes.map(describeNode).join('\n');
}

function describeNode(n: NodeDriftView): string {
  const name = WATCHED_NODE_NAME[n.kind];
  const recorded = `published for ${describeAudience(n.recorded.access)}, ${n.recorded.items} item${n.recorded.items === 1 ? '' : 's'}`;
  const now = n.current
    ? `now ${describeAudience(n.current.access)}${n.current.items === undefined ? ' (items not shown to you)' : `, ${n.current.items} item${n.current.items === 1 ? '' : 's'}`}`
    : n.error
      ? `could not be read: ${n.error.message}`
      : 'now gone';
  const verdict = n.severity === 'alarm' ? 'CHANGED' : n.severity === 'notice' ? 'changed' : n.error ? 'unknown' : 'ok';
  const lines = [`${verdict.padEnd(7)} ${name} (${n.node}): ${recorded}; ${now}`];
  for (const finding of n.findings) lines.push(`        ${describeDriftFinding(n.kind, finding, n.unfinishedChange ? 'unknown' : 'another-app')}`);
  if (n.unfinishedChange) lines.push(`        ${describeUnfinishedChange(n.kind, n.unfinishedChange)}`);
  // "ok" is about what was compared: what the server would not show is said, never passed off as unchanged.
  const unchecked = describeUnchecked(n.kind, n.unchecked);
  if (unchecked !== undefined) lines.push(`        ${unchecked}`);
  return lines.map(safe).join('\n');
}

function describeRepair(r: NodeRepair): string {
  const parts = [`Restored ${WATCHED_NODE_NAME[r.kind]}`];
  if (r.config) parts.push(`access now ${describeAudience({ model: r.config.accessModel, groups: r.config.rosterGroupsAllowed, allow: r.config.whitelist })}`);
  if (r.republished.length > 0) parts.push(`published again: ${r.republished.length}`);
  if (r.withoutPayload.length > 0) parts.push(`${r.withoutPayload.length} could not be published again (this vault no longer holds them)`);
  return safe(parts.join('; ')) + '.';
}
