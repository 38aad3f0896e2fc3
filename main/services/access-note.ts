/**
 * The access a publish is about to ask of the server, noted on each node's record before anything goes
 * out (PublishedNodesStore.noteAccess: a full disk then refuses the change whole, and one that fills
 * after leaves drift watch knowing the new access for the app's own). A publish can also end before the
 * server was asked to change anyone's access: refused by the consent check ("must be confirmed", then
 * turned down), a reading that failed, a switch of accounts. Then its note is taken back, as it was
 * before, for every node whose audience was not touched (PersistentNodeSpec.onAccessChange): else a
 * turned-down audience would later be taken for the app's own, an exact match of it set by another
 * client never reported, a partial one described as this app's change cut off (drift's unfinishedChange).
 */
import type { AccessRequest } from '../../contract/index.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';

export interface AccessNote {
  /** For the node's PersistentNodeSpec.onAccessChange: its audience may be changing from here on. */
  touching(node: string): () => void;
  /** Runs `work` (the nodes made ready); if it fails, each node not touched gets its note back as it was before this publish. */
  guard<T>(work: () => Promise<T>): Promise<T>;
}

export async function noteAccessAsked(published: PublishedNodesStore | undefined, account: string, nodes: readonly string[], access: AccessRequest): Promise<AccessNote> {
  /** Per node: its record's access then, and the note before this one (a change of its own cut off earlier, still unfinished), if any. */
  const before = new Map<string, { recorded: AccessRequest; previous: AccessRequest | undefined }>();
  for (const node of nodes) {
    const record = published?.list(account)[node];
    if (record) before.set(node, { recorded: record.access, previous: record.accessAsked });
  }
  for (const node of nodes) await published?.noteAccess(account, node, access);
  const touched = new Set<string>();
  return {
    touching: (node) => () => touched.add(node),
    guard: async (work) => {
      try {
        return await work();
      } catch (error) {
        for (const [node, { recorded, previous }] of before) {
          if (touched.has(node)) continue;
          // Only while nothing recorded or noted since (another publish overlapping this one); best
          // effort: a full disk that refuses this leaves the note, which drift then reads as before.
          await published?.takeBackAccessNote(account, node, { recorded, asked: access }, previous).catch(() => undefined);
        }
        throw error;
      }
    },
  };
}
