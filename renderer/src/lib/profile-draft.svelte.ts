import type { AccessRequest, OwnProfileView } from '../../../contract';
import { EMPTY_FORM, formFrom, rebaseForm, shownProfile, type ChangedUnder, type ProfileForm } from './profile-edits';

/**
 * What the person typed on My profile and has not published yet: kept by the profile's store, not by the
 * screen, so that going to Activity or following the form's own "Add one on Contacts" link and coming
 * back finds it as it was left. It goes when published (the form then shows what was published), when
 * discarded, and with the account (another one signed in: ProfileStore.resetForAccount).
 */
export class ProfileDraft {
  form = $state<ProfileForm>({ ...EMPTY_FORM });
  /** The audience as the picker holds it, complete or not (no contact ticked yet); undefined: as published. */
  choice = $state<AccessRequest | undefined>();
  /** The audience chosen, once complete (AccessPicker's value). */
  access = $state<AccessRequest | undefined>();
  /** The published audience the picker started from (ProfileScreen restarts it when that changes). */
  pickerStart = $state<AccessRequest | undefined>();
  reconfigure = $state(false);
  /** The fields another app changed on the server under the person's edit (profile-edits.ts rebaseForm). */
  changedUnder = $state<ChangedUnder[]>([]);
  /**
   * The own profile the form was last filled or rebased from. Not reactive: compared by identity with
   * the store's `own`, which a reactive copy (a proxy of it) would never be.
   */
  filledFrom: OwnProfileView | undefined;

  /**
   * The form once the published profile is `own`: filled from it the first time; afterwards the fields
   * the person left alone take its values and those they changed keep their text (rebaseForm).
   */
  follow(own: OwnProfileView | undefined): void {
    if (own === this.filledFrom) return;
    const rebased = rebaseForm(this.form, shownProfile(this.filledFrom), shownProfile(own));
    this.form = rebased.form;
    // The first read fills the form: nothing was published under the person's edit then.
    if (this.filledFrom !== undefined) {
      this.changedUnder = [...this.changedUnder.filter((c) => !rebased.changedUnder.some((r) => r.key === c.key)), ...rebased.changedUnder];
    }
    this.filledFrom = own;
  }

  /** Throws the changes away: the form shows `own` as published, and the audience is the published one. */
  discard(own: OwnProfileView | undefined): void {
    const shown = shownProfile(own);
    this.form = formFrom(shown, shown.nickname);
    this.choice = undefined;
    this.reconfigure = false;
    this.changedUnder = [];
    this.filledFrom = own;
  }

  /** Back to nothing typed, for another account. */
  clear(): void {
    this.form = { ...EMPTY_FORM };
    this.choice = undefined;
    this.access = undefined;
    this.pickerStart = undefined;
    this.reconfigure = false;
    this.changedUnder = [];
    this.filledFrom = undefined;
  }
}
