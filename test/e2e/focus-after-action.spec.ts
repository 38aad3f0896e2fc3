/**
 * Where focus goes after an action whose button was disabled while it ran (renderer/src/components/focus.ts),
 * in Chromium itself: Chromium moves focus off a disabled button only after its next frame, so a quick
 * answer and a slow one meet different pages. Both must end with focus in the same place. (CI saw the
 * compare dialog leave focus on "Compare and verify" after a quick refusal, once in a few runs.)
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test, type Page } from '@playwright/test';

const FOCUS_MODULE = fileURLToPath(new URL('../../renderer/src/components/focus.ts', import.meta.url));

/** The page: a field and the button that acts on it (`go`), another control, and focus.ts on `window.focus_`. */
async function openForm(page: Page): Promise<void> {
  const source = await readFile(FOCUS_MODULE, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  await page.setContent('<form><input id="field" value="asdf qwer"><button type="button" id="go">Compare and verify</button><a id="elsewhere" href="#x">Help</a></form>');
  await page.addScriptTag({ type: 'module', content: `${outputText}\nwindow.focus_ = { focusAfterAction, focusIfLost };` });
  await page.waitForFunction(() => 'focus_' in window);
}

interface FocusApi {
  focusAfterAction(): (...candidates: (HTMLElement | null | undefined)[]) => void;
}

/**
 * Presses `go`, which is disabled while the action runs `waitMs` (0: answered before Chromium's next frame),
 * then enabled again unless `staysDisabled`; then focus goes to the field (to the button
 * first when it `staysDisabled`). `moveTo` is where the person
 * moved focus meanwhile. Returns the id of what has focus, and whether the field's text is selected.
 */
async function pressAndAnswer(page: Page, options: { waitMs: number; staysDisabled?: boolean; moveTo?: string }) {
  await page.click('#go');
  return page.evaluate(async ({ waitMs, staysDisabled, moveTo }) => {
    const api = (window as unknown as { focus_: FocusApi }).focus_;
    const go = document.getElementById('go') as HTMLButtonElement;
    const field = document.getElementById('field') as HTMLInputElement;
    const refocus = api.focusAfterAction();
    go.disabled = true;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    else await Promise.resolve();
    if (moveTo) document.getElementById(moveTo)?.focus();
    if (!staysDisabled) go.disabled = false;
    // Like Publish: back to the button pressed while it can act again, else on to what follows.
    if (staysDisabled) refocus(go, field);
    else refocus(field);
    return { focused: document.activeElement?.id || document.activeElement?.tagName, selected: field.selectionEnd! - field.selectionStart! };
  }, options);
}

test('a quick answer puts focus where a slow one does: back in the field, its text selected', async ({ page }) => {
  await openForm(page);
  // Slow: Chromium has moved focus off the disabled button to the page by the time the answer comes.
  expect(await pressAndAnswer(page, { waitMs: 200 })).toEqual({ focused: 'field', selected: 'asdf qwer'.length });
  // Quick: focus is still on the button pressed, enabled again; it was not the person who put it there.
  expect(await pressAndAnswer(page, { waitMs: 0 })).toEqual({ focused: 'field', selected: 'asdf qwer'.length });
});

test('focus the person moved during the action stays; a button left disabled gives way to the next candidate', async ({ page }) => {
  await openForm(page);
  expect((await pressAndAnswer(page, { waitMs: 0, moveTo: 'elsewhere' })).focused).toBe('elsewhere');
  expect((await pressAndAnswer(page, { waitMs: 200, moveTo: 'elsewhere' })).focused).toBe('elsewhere');
  // Done and nothing left to do (Publish stays disabled): focus goes on, here to the field, quick or slow.
  expect((await pressAndAnswer(page, { waitMs: 0, staysDisabled: true })).focused).toBe('field');
  await page.evaluate(() => ((document.getElementById('go') as HTMLButtonElement).disabled = false));
  expect((await pressAndAnswer(page, { waitMs: 200, staysDisabled: true })).focused).toBe('field');
});

test('an action started from the keyboard in the field leaves focus in the field, its text as it was', async ({ page }) => {
  await openForm(page);
  await page.focus('#field');
  await page.evaluate(() => (document.getElementById('field') as HTMLInputElement).setSelectionRange(9, 9));
  const after = await page.evaluate(async () => {
    const api = (window as unknown as { focus_: FocusApi }).focus_;
    const go = document.getElementById('go') as HTMLButtonElement;
    const field = document.getElementById('field') as HTMLInputElement;
    const refocus = api.focusAfterAction();
    go.disabled = true;
    await Promise.resolve();
    go.disabled = false;
    refocus(field);
    return { focused: document.activeElement?.id, selected: field.selectionEnd! - field.selectionStart! };
  });
  expect(after).toEqual({ focused: 'field', selected: 0 });
});
