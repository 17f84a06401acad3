// The back office in a real browser: headless Chromium (Debian's) driven by playwright-core,
// against a real relais-server (debug binary, demo town) and a real CLI phone (`relais`).
// A citizen's phone files a report; an agent of its service logs in, acknowledges it, resolves
// it with a written reply; the phone syncs and reads the status and the reply; an agent of
// another service neither sees it in the inbox nor opens it; the importance–performance chart
// places rated town halls in their quadrants; the dashboard counts the request; an admin changes
// a category, routes it elsewhere in one arrondissement, adds an agent and disables them (the
// confirmation box ticked); the server's operator sees the towns. Screenshots go to
// target/screenshots/.
//
// Run from the repository root after `cargo build --workspace --bins`:
//   node --test server/tests/browser/backoffice.test.mjs
// RELAIS_BIN (default target/debug) says where the binaries are; CHROMIUM (default
// /usr/bin/chromium) which browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../../..');
const bin = resolve(root, process.env.RELAIS_BIN ?? 'target/debug');
const shots = resolve(root, process.env.CARGO_TARGET_DIR ?? 'target', 'screenshots');
const PASSWORD = 'un mot de passe solide';
const CATEGORY = 'objets_abandonnes_autre';

let work;
let server;
let base;
let browser;

/** Runs an administration task of the server on its data directory. */
function admin(args, input = '') {
  return execFileSync(join(bin, 'relais-server'), ['--data', join(work, 'server'), ...args], {
    input,
    encoding: 'utf8',
  });
}

/** Runs the CLI phone whose data directory is `phone`; its stdout. */
function phone(name, args) {
  return execFileSync(join(bin, 'relais'), ['--data', join(work, name), '--lang', 'fr', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function addStaff(email, name, service, role = 'agent') {
  const services = service ? ['--service', service] : [];
  admin(
    ['staff', 'add', '--password-stdin', '--tenant', 'demo', '--email', email, '--name', name,
      '--role', role, ...services],
    `${PASSWORD}\n`,
  );
}

/** A citizen device rates a directory service, through the sync protocol. */
async function rate(service, importance, satisfaction) {
  const device = await (await fetch(`${base}/v1/demo/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'linux', app_version: 'browser-test' }),
  })).json();
  const push = await fetch(`${base}/v1/demo/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ mutations: [{ seq: 1, mutation_id: crypto.randomUUID(), op: {
      type: 'rate_service', service_id: service, importance, satisfaction } }] }),
  });
  const body = await push.json();
  assert.equal(body.results[0].outcome, 'applied', JSON.stringify(body));
}

async function logIn(page, email, town = 'demo', home = '/inbox') {
  await page.goto(`${base}/login`);
  await page.getByLabel('Ville').selectOption(town);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${base}${home}`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'relais-browser-'));
  mkdirSync(shots, { recursive: true });
  server = spawn(join(bin, 'relais-server'),
    ['--demo', '--listen', '127.0.0.1:0', '--data', join(work, 'server')],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } });
  base = await new Promise((done, fail) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const found = out.match(/listening on (http:\S+)/);
      if (found) done(found[1]);
    });
    server.on('exit', (code) => fail(new Error(`relais-server exited with ${code}`)));
  });
  addStaff('a.propre@paris.example', 'Ana Propre', 'proprete');
  addStaff('b.voirie@paris.example', 'Bruno Voirie', 'voirie');
  addStaff('ada@paris.example', 'Ada Admin', null, 'admin');
  admin(['staff', 'add', '--operator', '--password-stdin', '--email', 'it@syndicat.example',
    '--name', 'Iris Tech'], `${PASSWORD}\n`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright-core gives each launch a fresh --user-data-dir of its own (and refuses one
    // given here), removed when the browser closes.
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

test('an agent triages, answers and resolves a report a phone filed; the phone reads it', async () => {
  phone('citizen', ['init', '--server', base, '--tenant', 'demo']);
  const text = 'Un canapé abandonné devant le 12, rue de Rivoli';
  const filed = JSON.parse(phone('citizen', ['report', '--category', CATEGORY, '--lat', '48.8566',
    '--lon', '2.3522', '--text', text, '--answer', 'type_objet=meuble', '--json']));
  phone('citizen', ['sync']);
  const id = filed.id;
  const reference = id.slice(0, 8);

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await logIn(page, 'a.propre@paris.example');
  const row = page.getByRole('link', { name: reference, exact: true });
  await assert.doesNotReject(row.waitFor());
  await page.screenshot({ path: join(shots, 'inbox.png'), fullPage: true });

  await row.click();
  await page.waitForURL(`${base}/requests/${id}`);
  assert.equal(await page.locator('#status').textContent(), 'Reçu');
  assert.ok((await page.textContent('main')).includes(text));
  assert.ok((await page.textContent('main')).includes('Meuble'), 'the answer, by its label');
  await page.screenshot({ path: join(shots, 'request.png'), fullPage: true });

  // Acknowledge with the town's template, by keyboard: the form is open by default.
  await page.getByRole('button', { name: 'Prendre en compte' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/done=acknowledge/);
  assert.equal(await page.locator('#status').textContent(), 'Pris en compte');

  const reply = 'Les encombrants ont été enlevés ce matin, merci de votre signalement.';
  await page.locator('summary', { hasText: 'Résoudre' }).click();
  await page.getByLabel('Réponse au citoyen').and(page.locator('#resolve-reply')).fill(reply);
  await page.locator('#resolve-note').fill('camion 12');
  await page.getByRole('button', { name: 'Résoudre' }).click();
  await page.waitForURL(/done=resolve/);
  assert.equal(await page.locator('#status').textContent(), 'Résolu');
  await page.screenshot({ path: join(shots, 'request-resolved.png'), fullPage: true });

  // The operations dashboard counts it.
  await page.getByRole('link', { name: 'Tableau de bord' }).click();
  await page.waitForURL(`${base}/dashboard`);
  assert.equal(await page.locator('#total-requests').textContent(), '1');
  await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: false });
  await context.close();

  phone('citizen', ['sync']);
  const timeline = JSON.parse(phone('citizen', ['timeline', id, '--json']));
  assert.equal(timeline.report.status, 'resolved');
  assert.ok(timeline.timeline.some((e) => e.text === reply), JSON.stringify(timeline.timeline));
  assert.ok(!JSON.stringify(timeline).includes('camion 12'), 'internal notes stay internal');

  // An agent of another service sees nothing of it.
  const other = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const otherPage = await other.newPage();
  await logIn(otherPage, 'b.voirie@paris.example');
  await otherPage.goto(`${base}/inbox?status=all`);
  assert.ok(!(await otherPage.textContent('main')).includes(reference));
  const refused = await otherPage.goto(`${base}/requests/${id}`);
  assert.equal(refused.status(), 403);
  await otherPage.screenshot({ path: join(shots, 'other-service-refused.png') });
  await other.close();
});

test('the importance-performance chart places rated services in their quadrants', async () => {
  for (const [importance, satisfaction] of [[5, 2], [5, 1], [4, 2], [4, 3], [5, 2]]) {
    await rate('mairie-75103', importance, satisfaction);
  }
  for (const [importance, satisfaction] of [[4, 4], [5, 5], [4, 4], [5, 5], [4, 4]]) {
    await rate('mairie-75105', importance, satisfaction);
  }
  await rate('mairie-75106', 5, 1);

  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await logIn(page, 'a.propre@paris.example');
  await page.getByRole('link', { name: 'Satisfaction des services' }).click();
  await page.waitForURL(`${base}/ratings`);
  const chart = page.locator('#ipa-chart');
  assert.ok(await chart.isVisible());
  assert.equal(await chart.locator('g.service').count(), 2);
  assert.equal(
    await page.locator('#ipa-table tr[data-service="mairie-75103"]').getAttribute('data-quadrant'),
    'concentrate_here');
  assert.equal(
    await page.locator('#ipa-table tr[data-service="mairie-75105"]').getAttribute('data-quadrant'),
    'keep_up_the_good_work');
  assert.equal(await page.locator('#ipa-table tr[data-service="mairie-75106"]').count(), 0);
  await page.screenshot({ path: join(shots, 'ratings.png'), fullPage: false });

  // In English, at the data means.
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByLabel('Crosshairs').selectOption('means');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/crosshairs=means/);
  // At the means (importance 4.5), the 5th's hall (4.4) matters less than the average.
  assert.equal(
    await page.locator('#ipa-table tr[data-service="mairie-75105"]').getAttribute('data-quadrant'),
    'possible_overkill');
  assert.ok((await page.textContent('#ipa-table')).includes('Possible overkill'));
  await page.screenshot({ path: join(shots, 'ratings-en-means.png'), fullPage: false });
  await context.close();
});

test('an admin runs the town: a category, a routing exception, a new agent disabled', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await logIn(page, 'ada@paris.example');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.waitForURL(`${base}/admin/categories`);

  // The category's published response time, changed in its form.
  const row = page.locator('tr', { has: page.locator(`form[action="/admin/categories/${CATEGORY}"]`) });
  await row.locator('summary', { hasText: 'Modifier' }).click();
  await row.getByLabel('Délai de réponse publié (jours)').fill('3');
  await row.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/done=1/);
  assert.equal(await page.getByRole('status').textContent(), 'Enregistré.');
  assert.equal((await row.locator('td.num').first().textContent()).trim(), '3');
  await page.screenshot({ path: join(shots, 'admin-categories.png'), fullPage: false });

  // A routing exception, then its removal refused by the browser until the box is ticked.
  await page.getByRole('link', { name: 'Aiguillage' }).click();
  await page.getByLabel('Catégorie').selectOption(CATEGORY);
  await page.getByLabel('Zone', { exact: true }).selectOption('75104');
  await page.getByLabel('Service', { exact: true }).selectOption('voirie');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/done=1/);
  const rule = page.locator('tr', { has: page.locator(`input[name=category][value="${CATEGORY}"]`) })
    .filter({ has: page.locator('input[name=zone][value="75104"]') });
  assert.equal(await rule.count(), 1);
  await page.screenshot({ path: join(shots, 'admin-routing.png'), fullPage: false });

  // A new agent of one service, limited to one arrondissement.
  await page.getByRole('link', { name: 'Personnel' }).click();
  await page.waitForURL(`${base}/admin/staff`);
  await page.getByLabel('Adresse e-mail').fill('c.nouveau@paris.example');
  await page.getByLabel('Nom', { exact: true }).fill('Chloé Nouveau');
  await page.getByLabel('Rôle').selectOption('agent');
  await page.getByLabel(/^Services/).selectOption('proprete');
  await page.getByLabel(/^Zones d'un agent/).selectOption('75104');
  await page.getByLabel(/^Premier mot de passe/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await page.waitForURL(/done=1/);
  const member = page.locator('tr', { hasText: 'c.nouveau@paris.example' });
  await member.getByRole('button', { name: 'Désactiver' }).click();
  assert.equal(page.url(), `${base}/admin/staff?done=1`, 'the unticked box stops the form');
  await member.getByLabel('Je confirme').check();
  await member.getByRole('button', { name: 'Désactiver' }).click();
  await page.waitForURL(/done=1/);
  assert.ok((await member.textContent()).includes('désactivé'));
  await page.screenshot({ path: join(shots, 'admin-staff.png'), fullPage: false });

  await page.getByRole('link', { name: 'Zones' }).click();
  await page.waitForURL(`${base}/admin/zones`);
  assert.ok((await page.textContent('main')).includes('quartier'));
  await page.screenshot({ path: join(shots, 'admin-zones.png'), fullPage: false });
  await page.getByRole('link', { name: 'Motifs et modèles de réponse' }).click();
  await page.waitForURL(`${base}/admin/replies`);
  await page.screenshot({ path: join(shots, 'admin-replies.png'), fullPage: false });
  await context.close();

  // The operator of the server sees its towns.
  const it = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const towns = await it.newPage();
  await logIn(towns, 'it@syndicat.example', '', '/towns');
  assert.ok((await towns.textContent('main')).includes('demo'));
  await towns.screenshot({ path: join(shots, 'towns.png'), fullPage: false });
  await it.close();
});
