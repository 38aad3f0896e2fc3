/**
 * What is typed on My profile and not published stays while the person looks at other screens: going to
 * Activity and back, or following the form's own "Add one on Contacts" link (shown for "Only contacts I
 * choose" with no contacts yet) and back, finds the fields and the audience as they were left, and the
 * changes still listed against what is published. "Discard changes" goes back to what is published; a
 * publish leaves the form showing what was published. Screenshots at 1280×800 and 800×600, both themes.
 */
import { checkEveryLook, expect, goTo, signedInOnMyProfile, test } from './fixtures';

const NOTE = 'A long note typed with care,\nover two lines, that must not be lost by a look at Activity.';

test('a profile half typed survives a visit to Activity and to Contacts, can be discarded, and settles once published', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyProfile(page, browserHost.url, juliet);
  const form = page.getByRole('form', { name: 'Profile' });
  const changes = page.getByTestId('profile-changes');
  const note = form.getByLabel('Note');
  const emails = form.getByLabel('E-mail addresses (one per line)');

  // Published first, so the draft is compared with something.
  await form.getByLabel('Nickname').fill('Jules');
  await form.getByLabel('Contacts who see my presence').check();
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Published');
  await expect(form.getByRole('button', { name: 'Discard changes' })).toHaveCount(0);
  await expect(page.getByTestId('profile-kept')).toHaveCount(0);

  // Typed, then a look at Activity.
  await note.fill(NOTE);
  await emails.fill('juliet@capulet.lit');
  await expect(page.getByTestId('profile-kept')).toContainText('Your changes stay here while you look at other screens');
  await goTo(page, 'Activity');
  await goTo(page, 'My profile');
  await expect(note).toHaveValue(NOTE);
  await expect(emails).toHaveValue('juliet@capulet.lit');
  await expect(form.getByLabel('Nickname')).toHaveValue('Jules');
  await expect(changes.getByTestId('profile-change')).toHaveText(['E-mail addresses: added juliet@capulet.lit', `Note: added ${NOTE}`]);

  // The form's own link to Contacts, with an audience not complete yet (nobody to choose), and back.
  await form.getByLabel('Only contacts I choose').check();
  await form.getByRole('button', { name: 'Add one on Contacts' }).click();
  await expect(page.getByRole('heading', { name: 'Contacts', level: 2 })).toBeVisible();
  await goTo(page, 'My profile');
  await expect(note).toHaveValue(NOTE);
  await expect(emails).toHaveValue('juliet@capulet.lit');
  await expect(form.getByLabel('Only contacts I choose')).toBeChecked();
  await expect(form.getByRole('button', { name: 'Add one on Contacts' })).toBeVisible();
  await checkEveryLook(page, 'my-profile-draft-kept', saveScreenshot);

  // Thrown away on purpose: the published profile and audience again, focus on the (empty) list of changes.
  await form.getByRole('button', { name: 'Discard changes' }).click();
  await expect(note).toHaveValue('');
  await expect(emails).toHaveValue('');
  await expect(form.getByLabel('Nickname')).toHaveValue('Jules');
  await expect(form.getByLabel('Contacts who see my presence')).toBeChecked();
  await expect(changes).toContainText('Nothing yet');
  await expect(page.getByRole('heading', { name: 'What publishing changes' })).toBeFocused();
  await expect(form.getByRole('button', { name: 'Discard changes' })).toHaveCount(0);
  await goTo(page, 'Activity');
  await goTo(page, 'My profile');
  await expect(note).toHaveValue('');

  // Typed again, published, away and back: the form shows what was published, with nothing left to change.
  await note.fill(NOTE);
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Published');
  await expect(changes).toContainText('Nothing yet');
  await goTo(page, 'Activity');
  await goTo(page, 'My profile');
  await expect(note).toHaveValue(NOTE);
  await expect(changes).toContainText('Nothing yet');
  await expect(form.getByRole('button', { name: 'Discard changes' })).toHaveCount(0);
});
