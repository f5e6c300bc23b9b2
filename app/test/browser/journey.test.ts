import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { ADMIN, eventually, fund, gql, knownToPayments, login, PASSWORD, registerUser, uniqueEmail } from './support/api.js';
import { checkPage, launchBrowser, newPage, PHONE, recordFailures } from './support/browser.js';
import { browserEnv } from './support/env.js';

/**
 * The issue's journey in a real browser against the real platform: a person registers, the
 * admin funds them from the console, they pay someone whose open page updates live (balance and
 * inbox badge, no reload), they read their history, claim a bonus, and the admin changes a role
 * and a config value and finds both in the audit log. Every page visited is checked with axe
 * and photographed at 390 px and desktop width.
 */
let browser: Browser;
const app = () => browserEnv().appUrl;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${app()}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Wallets' }).waitFor();
}

async function transfersOf(token: string): Promise<Array<{ amount: number; status: string }>> {
  return (await gql('{ transfers(first: 50) { nodes { amount status } } }', {}, token)).transfers.nodes;
}

describe('the app in a browser, against the platform', () => {
  it('register → admin deposit → transfer seen live by the recipient → history → bonus claim → admin role and config edits in the audit log', async () => {
    const referrer = await registerUser('Referrer');
    const referral = (await gql('{ me { referralCode } }', {}, referrer.token)).me.referralCode as string;

    // Someone new registers, with a referral code, in the UI.
    const { context: userContext, page: user } = await newPage(browser);
    recordFailures(onTestFailed, { user });
    const email = uniqueEmail('Newcomer');
    await user.goto(`${app()}/register`);
    await checkPage(user, 'register');
    await user.getByLabel('Your name').fill('Newcomer');
    await user.getByLabel('Email').fill(email);
    await user.getByLabel('Password').fill(PASSWORD);
    await user.getByLabel('Referral code (optional)').fill(referral);
    await user.getByRole('button', { name: 'Create account' }).click();
    await user.getByRole('heading', { name: 'Settings' }).waitFor();
    await user.getByText('Welcome! Your account is ready.').waitFor();
    await checkPage(user, 'settings');
    await user.getByRole('link', { name: 'Wallets' }).click();
    await user.getByText('No wallets yet.').waitFor();
    await knownToPayments(email, referrer.token);

    // The admin funds them from the console while their wallets page is open.
    const { context: adminContext, page: admin } = await newPage(browser);
    recordFailures(onTestFailed, { admin });
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('heading', { name: 'Users' }).waitFor();
    await admin.getByRole('link', { name: email }).waitFor();
    await checkPage(admin, 'admin-users');
    await admin.getByRole('link', { name: 'Deposits' }).click();
    await admin.getByLabel('User’s email').fill(email);
    await admin.getByLabel('Amount (EUR)').fill('250.00');
    await admin.getByRole('button', { name: 'Deposit' }).click();
    await admin.getByText(`Deposited €250.00 to ${email}`).waitFor();
    await checkPage(admin, 'admin-deposit');

    const userWallet = user.getByTestId('wallet-EUR');
    await userWallet.getByText('€250.00').first().waitFor();
    await checkPage(user, 'wallets');

    // A recipient with the app open on their wallets.
    const recipient = await registerUser('Recipient');
    const { context: recipientContext, page: recipientPage } = await newPage(browser, PHONE);
    recordFailures(onTestFailed, { recipient: recipientPage });
    await signIn(recipientPage, recipient.email, PASSWORD);
    await recipientPage.getByText('No wallets yet.').waitFor();

    // The newcomer pays them.
    const newcomer = await login(email);
    await knownToPayments(recipient.email, newcomer.token);
    await user.getByRole('link', { name: 'Send money' }).click();
    await user.getByLabel('Recipient’s email').fill(recipient.email);
    await user.getByLabel('Amount (EUR)').fill('12.34');
    await user.getByLabel('Note (optional)').fill('Lunch');
    await user.getByText('Paying Recipient').waitFor();
    await checkPage(user, 'send');
    await user.getByTestId('send').click();
    await user.getByText('Sent €12.34 to Recipient.').waitFor();

    // The recipient's open page shows the money and the inbox badge without a reload.
    await recipientPage.getByTestId('wallet-EUR').getByText('€12.34').first().waitFor();
    const unread = await eventually(async () => {
      const { notifications, unreadNotificationCount } = await gql('{ notifications(first: 20) { nodes { type } } unreadNotificationCount }', {}, recipient.token);
      return notifications.nodes.some((n: { type: string }) => n.type === 'payment.transfer_received') && (unreadNotificationCount as number);
    }, 'the transfer notification');
    await recipientPage.getByTestId('unread-badge').getByText(String(unread), { exact: true }).waitFor();
    await recipientPage.getByRole('link', { name: /Inbox/ }).click();
    await recipientPage.getByRole('heading', { name: 'Inbox' }).waitFor();
    await recipientPage.getByRole('list', { name: 'Messages' }).getByText('Money received', { exact: true }).waitFor();
    await checkPage(recipientPage, 'inbox');

    // History: the ledger and the transfer.
    await user.getByRole('link', { name: 'History' }).click();
    const ledger = user.getByRole('list', { name: 'Ledger entries' });
    await ledger.getByText('-€12.34').waitFor();
    await ledger.getByText('+€250.00').waitFor();
    await checkPage(user, 'history');
    await user.getByRole('button', { name: 'Transfers' }).click();
    await user.getByRole('list', { name: 'Transfers' }).getByText('Lunch').waitFor();
    await user.getByRole('list', { name: 'Transfers' }).getByText('Sent to Recipient').first().waitFor();

    // A bonus: the admin offers one in the console, the newcomer claims it.
    const code = `WELCOME_BACK_${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
    await admin.getByRole('link', { name: 'Bonus templates' }).click();
    await admin.getByRole('button', { name: 'New template' }).click();
    await admin.getByLabel('Code').fill(code);
    await admin.getByLabel('Name').fill('Welcome back');
    await admin.getByLabel('Fixed amount (major units)').fill('5');
    await admin.getByRole('button', { name: 'Save template' }).click();
    await admin.getByRole('cell', { name: new RegExp(`^${code}`) }).waitFor();
    await checkPage(admin, 'admin-bonus-templates');
    await user.getByRole('link', { name: 'Bonuses' }).click();
    await user.getByRole('button', { name: 'Claim Welcome back' }).click();
    await user.getByText('Bonus claimed.').waitFor();
    await user.getByRole('list', { name: 'Your bonuses' }).getByText(code).waitFor();
    await checkPage(user, 'bonuses');

    // The admin edits a role and a config value, and finds both in the audit log.
    const role = `auditor-${crypto.randomUUID().slice(0, 6)}`;
    await admin.getByRole('link', { name: 'Roles' }).click();
    await admin.getByRole('button', { name: 'New role' }).click();
    await admin.getByLabel('Name').fill(role);
    await admin.getByLabel('Permissions (one URN per line)').fill('audit:read:tenant\nbad urn');
    await admin.getByRole('button', { name: 'Save role' }).click();
    await admin.getByText('bad urn: needs three parts, resource:action:target').waitFor();
    await admin.getByLabel('Permissions (one URN per line)').fill('audit:read:tenant\nuser:read:tenant');
    await admin.getByRole('button', { name: 'Save role' }).click();
    await admin.getByRole('heading', { name: new RegExp(`^${role}`) }).waitFor();
    await checkPage(admin, 'admin-roles');

    await admin.getByRole('link', { name: 'Config' }).click();
    await admin.getByRole('heading', { name: 'Service configuration' }).waitFor();
    const entry = await editableNumberEntry(admin);
    const card = admin.getByTestId(`config-${entry.service}-${entry.key}`);
    await card.getByRole('button', { name: /^Edit/ }).click();
    const editor = card.getByLabel(`Value of ${entry.service}.${entry.key} (JSON)`);
    await editor.fill('"not a number"');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(/Invalid value for/).waitFor();
    await editor.fill(JSON.stringify(entry.next));
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(/Changed .* by/).waitFor();
    await checkPage(admin, 'admin-config');

    await admin.getByRole('link', { name: 'Audit log' }).click();
    const audit = admin.getByRole('list', { name: 'Audit entries' });
    await audit.getByText('config.set').first().waitFor();
    await audit.getByText(`${entry.service}/${entry.key}`).first().waitFor();
    // Role changes reach the log through auth-service's events, a moment after the change.
    await admin.getByLabel('Action (exact, or prefix ending in “.”)').fill('role.');
    await refreshUntilVisible(admin, audit.getByText(role).first());
    await admin.getByRole('button', { name: 'Verify chain' }).click();
    await admin.getByText(/Chain intact/).waitFor();
    await checkPage(admin, 'admin-audit');

    await Promise.all([userContext.close(), adminContext.close(), recipientContext.close()]);
  });

  it('a double click on Send sends the payment once', async () => {
    const sender = await registerUser('Doubler');
    const receiver = await registerUser('Receiver');
    await fund(sender.id, 10_000);
    await knownToPayments(receiver.email, sender.token);

    const { context, page } = await newPage(browser);
    await signIn(page, sender.email, PASSWORD);
    await page.getByTestId('wallet-EUR').getByText('€100.00').first().waitFor();
    await page.getByRole('link', { name: 'Send money' }).click();
    await page.getByLabel('Recipient’s email').fill(receiver.email);
    await page.getByLabel('Amount (EUR)').fill('7.5');
    await page.getByText('Paying Receiver').waitFor();
    await page.getByTestId('send').dblclick();
    await page.getByText('Sent €7.50 to Receiver.').waitFor();

    const { token } = await login(sender.email);
    // The deposit is a transfer too (from the funding account); the payment is there once.
    expect((await transfersOf(token)).filter((t) => t.amount !== 10_000)).toEqual([{ amount: 750, status: 'completed' }]);
    expect((await gql('{ myWallets { balance } }', {}, token)).myWallets).toEqual([{ balance: 9_250 }]);
    await context.close();
  });

  it('the remaining pages work and pass axe at both widths: withdraw, user detail, notification templates, reconciliation, webhooks', async () => {
    const person = await registerUser('Withdrawer');
    await fund(person.id, 5_000);

    const { context, page } = await newPage(browser);
    recordFailures(onTestFailed, { page });
    await signIn(page, person.email, PASSWORD);
    await page.getByTestId('wallet-EUR').getByText('€50.00').first().waitFor();
    await page.getByRole('link', { name: 'Withdraw' }).click();
    await page.getByLabel('Amount (EUR)').fill('10');
    await page.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText(/Withdrawal of €10\.00/).waitFor();
    await checkPage(page, 'withdraw');

    // Email verification with a one-time code, read from the platform's SMTP recorder.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByText(`We sent a code to ${person.email}.`).waitFor();
    const code = await eventually(async () => {
      const response = await fetch(`${browserEnv().providerSinksUrl}/emails?to=${encodeURIComponent(person.email)}`);
      const emails = (await response.json()) as unknown[];
      return emails
        .map((email) => /\b(\d{6})\b/.exec(JSON.stringify(email))?.[1])
        .filter(Boolean)
        .at(-1);
    }, 'the verification email');
    await page.getByLabel('Verification code').fill(code!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('verified', { exact: true }).waitFor();
    await checkPage(page, 'settings-verified');
    await context.close();

    const { context: adminContext, page: consolePage } = await newPage(browser);
    recordFailures(onTestFailed, { consolePage });
    await signIn(consolePage, ADMIN.email, ADMIN.password);
    await consolePage.goto(`${app()}/admin`);
    await consolePage.getByLabel('Email starts with').fill(person.email);
    await consolePage.getByRole('link', { name: person.email }).click();
    await consolePage.getByRole('heading', { name: 'Withdrawer' }).waitFor();
    await consolePage.getByRole('heading', { name: 'Wallets' }).waitFor();
    await checkPage(consolePage, 'admin-user');

    await consolePage.getByRole('link', { name: 'Notification templates' }).click();
    await consolePage.getByRole('heading', { name: 'Send a test' }).waitFor();
    await checkPage(consolePage, 'admin-notification-templates');

    await consolePage.getByRole('link', { name: 'Reconciliation' }).click();
    await consolePage.getByRole('button', { name: 'Run check now' }).click();
    await consolePage.getByText(/The books balance\.|finding\(s\)/).waitFor();
    await checkPage(consolePage, 'admin-reconciliation');

    await consolePage.getByRole('link', { name: 'Webhooks' }).click();
    await consolePage.getByLabel('URL').fill('https://hooks.example.com/payments');
    await consolePage.getByRole('button', { name: 'Register' }).click();
    await consolePage.getByText(/Signing secret \(shown once/).waitFor();
    await consolePage.getByRole('list', { name: 'Webhook endpoints' }).getByText('https://hooks.example.com/payments', { exact: true }).first().waitFor();
    await checkPage(consolePage, 'admin-webhooks');
    await adminContext.close();
  });

  it('system health: the gateway and the four services, each with its status in words, refreshed in place', async () => {
    const { context, page } = await newPage(browser);
    recordFailures(onTestFailed, { page });
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'System health' }).click();
    await page.getByRole('heading', { name: 'System health' }).waitFor();
    const overall = page.getByTestId('health-overall');
    await overall.waitFor();
    expect(await overall.innerText()).toMatch(/Platform: \W*(OK|Degraded|Down)/);
    const services = page.getByRole('list', { name: 'Services' });
    for (const name of ['gateway', 'auth-service', 'payment-service', 'bonus-service', 'notification-service']) {
      const card = page.getByTestId(`service-${name}`);
      await card.getByRole('heading', { name, exact: true }).waitFor();
      expect(await card.locator('.health-tag').innerText()).toMatch(/^\W*(OK|Degraded|Down)$/);
      // The platform is serving: each service has an instance reporting itself ready.
      await card.getByText('ready', { exact: true }).first().waitFor();
    }
    expect(await services.getByRole('heading', { level: 2 }).count()).toBe(5);
    const updated = page.getByText(/^Updated /);
    await updated.waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByTestId('service-gateway').waitFor();
    await checkPage(page, 'admin-health');
    await context.close();
  });

  it('sign out ends the session and shows the sign-in page', async () => {
    const person = await registerUser('Leaver');
    const { context, page } = await newPage(browser);
    await signIn(page, person.email, PASSWORD);
    await checkPage(page, 'signin-done');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${app()}/history`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkPage(page, 'signin');
    await context.close();
  });
});

/** Presses the page's Refresh button until the locator shows (entries written asynchronously). */
async function refreshUntilVisible(page: Page, locator: ReturnType<Page['locator']>): Promise<void> {
  await eventually(async () => {
    if (await locator.isVisible()) return true;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Loading' })
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    return locator.isVisible();
  }, 'the audit entry to appear');
}

/** A config key whose value is a plain number the admin may change, and a new valid value for it. */
async function editableNumberEntry(page: Page): Promise<{ service: string; key: string; next: number }> {
  const { token } = await login(ADMIN.email, ADMIN.password);
  const entries = (await gql('{ serviceConfigs { service key value source sensitive } }', {}, token)).serviceConfigs as Array<{
    service: string;
    key: string;
    value: unknown;
    source: string;
    sensitive: boolean;
  }>;
  void page;
  const entry = entries.find((e) => typeof e.value === 'number' && e.source !== 'ENV' && !e.sensitive && Number.isInteger(e.value) && (e.value as number) > 1);
  if (!entry) throw new Error(`no numeric config key to edit among ${entries.map((e) => `${e.service}.${e.key}`).join(', ')}`);
  return { service: entry.service, key: entry.key, next: (entry.value as number) + 1 };
}
