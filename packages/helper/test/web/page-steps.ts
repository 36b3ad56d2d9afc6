/**
 * @module test/web/page-steps
 * Steps a person takes on the web page, shared by the browser tests and the screenshot script (no test
 * runner here, so a script can import them).
 */
import type { Page } from 'playwright-core';

/** Signs in on the page as a demo user (whose password is the user name) and waits for the services. */
export async function signIn(page: Page, url: string, user = 'alice'): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}

/** Presses the first "Get key" button, waits for the key to show, and opens its runnable snippet. */
export async function getFirstKey(page: Page): Promise<void> {
  await page
    .getByRole('button', { name: /^Get key for / })
    .first()
    .click();
  await page.locator('#full-key').waitFor();
  await page.getByText('Call it: a runnable snippet').first().click();
}
