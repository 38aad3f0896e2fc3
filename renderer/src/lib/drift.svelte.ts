import type { DriftReport, NodeDriftView } from '../../../contract';
import { goneFromServer, newDriftLines } from './drift-words';
import { WATCHED_NODE_NAME } from './format';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';

/**
 * Drift watch as the window sees it (docs/drift.md): the last report main made (at sign-in, after
 * the server announced a change, on its timer), and the person's two answers, Restore and Accept.
 */
export class DriftStore extends ScreenStore {
  report = $state<DriftReport>({ nodes: [] });
  /** Nodes whose notice the person set aside until the state changes again (never an alarm). */
  dismissed = $state<string[]>([]);
  readonly restoring = new Task();
  readonly accepting = new Task();
  /** Each drifted node's findings as Activity last told them (drift-words.ts newDriftLines): told once, not at every re-check. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only: nothing on screen reads it
  readonly #told = new Map<string, string>();
  /** The nodes that differ from what the app published, alarms first. */
  get drifted(): NodeDriftView[] {
    const drifted = this.report.nodes.filter((n) => n.severity !== undefined && !(n.severity === 'notice' && this.dismissed.includes(n.node)));
    return [...drifted.filter((n) => n.severity === 'alarm'), ...drifted.filter((n) => n.severity === 'notice')];
  }

  /**
   * What to say instead of "Published" for what the app published on `node` (a key's item `itemId`)
   * while the last reading found it deleted or removed; undefined when it was there.
   */
  gone(node: string, itemId?: string): string | undefined {
    return goneFromServer(this.report, node, itemId);
  }

  /** Follows main's own checks; returns the unsubscribe. */
  start(): () => void {
    const off = this.api.on('drift:changed', (report) => this.#show(report));
    void this.#load();
    return off;
  }

  async #load(): Promise<void> {
    const sameAccount = this.accountMark();
    const status = await this.api.drift.status();
    if (status.ok && sameAccount()) this.#show(status.value);
  }

  /** The new account's report is main's to tell (it checks at sign-in): asked for again now. */
  protected resetForAccount(): void {
    this.report = { nodes: [] };
    this.dismissed = [];
    this.#told.clear();
    void this.#load();
  }

  /**
   * Puts the node (or every drifted one) back as published; the report afterwards is what the server
   * says. The report shown is the account the window shows, which goes with every request: main
   * refuses it unless that account is the one signed in (main/ipc/dispatcher.ts).
   */
  async restore(node?: string): Promise<void> {
    // An answer after another account was signed in is none (Task drops it): its own report stays on screen.
    const answer = await this.restoring.run(() => this.api.drift.restore(node === undefined ? {} : { node }));
    if (!answer) return;
    this.#show(answer.report);
    for (const r of answer.repaired) this.activity.add('published', `Restored ${WATCHED_NODE_NAME[r.kind]} as you published ${r.kind === 'keys' ? 'them' : 'it'}`);
  }

  /** Keeps the node's current state as intended. */
  async accept(node: NodeDriftView): Promise<void> {
    const report = await this.accepting.run(() => this.api.drift.accept({ node: node.node }));
    if (!report) return;
    this.#show(report);
    // The user's own decision: a plain line, not the alarm the drift itself was.
    // A change this app may have started itself (cut off half-way) is not called another app's.
    const it = node.kind === 'keys' ? 'them' : 'it';
    this.activity.add(
      'kept',
      node.findings.some((f) => f.code === 'node-deleted')
        ? `Kept ${WATCHED_NODE_NAME[node.kind]} deleted from your server: recorded as not published`
        : node.unfinishedChange
          ? `Kept ${WATCHED_NODE_NAME[node.kind]} as your server has ${it} now`
          : `Kept another app’s change to ${WATCHED_NODE_NAME[node.kind]}`,
    );
  }

  dismiss(node: string): void {
    this.dismissed = [...this.dismissed, node];
  }

  #show(report: DriftReport): void {
    this.report = report;
    // What drift watch found is told in Activity once, in the banner's words: an alarm, like the banner.
    for (const line of newDriftLines(this.#told, report)) this.activity.add('changed', line);
    // A notice set aside comes back if the node changes again, or once it is fine and drifts anew.
    this.dismissed = this.dismissed.filter((node) => report.nodes.some((n) => n.node === node && n.severity === 'notice'));
  }
}
