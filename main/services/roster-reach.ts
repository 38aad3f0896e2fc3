/**
 * Whether a node published to roster groups reaches anyone (XEP-0060 §4.5 roster access): a group no
 * contact of the account is in lets nobody read it. The server takes such a group without a word (a
 * group is only a name on roster items), so main compares the groups with the roster it knows and the
 * publish's answer says which are empty (EffectiveNodeConfig.emptyGroups): every front end (the window,
 * the browser host, the CLI) gets the same warning. A warning only: the person may add someone later.
 */
import type { EffectiveNodeConfig, RosterContactView } from '../../contract/index.js';
import type { Logger } from '../logger.js';
import type { RosterService } from './roster-service.js';

export interface RosterReachDeps {
  roster: Pick<RosterService, 'known'>;
  log: Logger;
}

/**
 * Of `allowed`, the groups none of `contacts` is in. Names compare exactly as written, as servers
 * compare them (RFC 6121 §2.1.2.2 leaves a group's name as the client wrote it): "friends" is not "Friends".
 */
export function emptyGroupsOf(allowed: readonly string[], contacts: readonly Pick<RosterContactView, 'groups'>[]): string[] {
  const used = new Set(contacts.flatMap((c) => c.groups));
  return [...new Set(allowed)].filter((g) => !used.has(g));
}

export class RosterReach {
  readonly #deps: RosterReachDeps;

  constructor(deps: RosterReachDeps) {
    this.#deps = deps;
  }

  /**
   * The configuration read back, with emptyGroups when it is roster access and some of its groups have
   * nobody in them. Nothing is added when the roster is not known (offline with nothing saved, or not
   * readable): no guess. Never fails: the publish it reports on is done.
   */
  async note<C extends EffectiveNodeConfig>(config: C): Promise<C> {
    if (config.accessModel !== 'roster' || config.rosterGroupsAllowed.length === 0) return config;
    try {
      const contacts = await this.#deps.roster.known();
      if (contacts === undefined) return config;
      const empty = emptyGroupsOf(config.rosterGroupsAllowed, contacts);
      return empty.length > 0 ? { ...config, emptyGroups: empty } : config;
    } catch (error) {
      this.#deps.log.warn(`could not compare the roster groups with the roster: ${error instanceof Error ? error.message : String(error)}`);
      return config;
    }
  }

  /** note() for each node of one publish (a profile spans several). */
  async noteAll<C extends EffectiveNodeConfig>(configs: readonly C[]): Promise<C[]> {
    const noted: C[] = [];
    for (const config of configs) noted.push(await this.note(config));
    return noted;
  }
}
