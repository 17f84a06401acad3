// The back office in a real browser: headless Chromium (Debian's) driven by playwright-core,
// against a real relais-server (debug binary, demo town) and a real CLI phone (`relais`).
// A citizen's phone files a report; an agent of its service logs in, acknowledges it, resolves
// it with a written reply and a camera photo (shrunk, upright and stripped by the server; a
// file that is not a photo refused first); the phone syncs and
// reads the status and the reply; an agent of another service neither sees it in the inbox nor
// opens it; the importance–performance chart places rated town halls in their quadrants, also
// filtered by zone and kind; the dashboard counts the request; an admin changes a category,
// routes it elsewhere in one arrondissement, adds an agent and disables them (the confirmation
// box ticked), imports zones and the directory from files (jobs showing their progress) and
// publishes an alert, then withdraws it; the server's operator sees the towns. Screenshots go to
// target/screenshots/.
//
// Run from the repository root after `cargo build --workspace --bins`:
//   node --test server/tests/browser/backoffice.test.mjs
// RELAIS_BIN (default target/debug) says where the binaries are; CHROMIUM (default
// /usr/bin/chromium) which browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * A photo of the work done straight off a phone: the Xiaomi Mi 9T's 4000 × 3000 pixels of the
 * project's shared data, stored on their side with EXIF orientation 6 and an EXIF GPS block.
 */
const cameraPhoto = () =>
  readFileSync(resolve(root, '../shared/data/photos/large_xiaomi_mi9t_4000x3000_orient6_emptygps.jpg'));

/** The metadata segments (APP1–APP15, comments) of `jpeg`, walked up to the start of scan. */
function metadataSegments(jpeg) {
  const found = [];
  let at = 2;
  while (jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    const marker = jpeg[at + 1];
    if ((marker >= 0xe1 && marker <= 0xef) || marker === 0xfe) found.push(marker);
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return found;
}

/** Waits for an import job's page to say it has finished; its outcome's words. */
async function finishedImport(page) {
  await page.waitForURL(/\/admin\/imports\//);
  // The page reloads itself (a Refresh header) until the job has finished.
  await page.locator('#import-job[data-finished="true"]').waitFor();
  return page.locator('#import-job .notice').textContent();
}

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

  // Resolve with a reply and a photo of the work done. A file that is not a photo is refused
  // first, saying which file and why; nothing changed. Then the camera's original, EXIF and all,
  // is accepted: the server shrinks it to 2048 pixels, turns it upright and strips its metadata.
  const reply = 'Les encombrants ont été enlevés ce matin, merci de votre signalement.';
  const resolveWith = async (file) => {
    await page.locator('summary', { hasText: 'Résoudre' }).click();
    await page.getByLabel('Réponse au citoyen').and(page.locator('#resolve-reply')).fill(reply);
    await page.locator('#resolve-note').fill('camion 12');
    await page.getByLabel(/^Photos de l'intervention/).setInputFiles(file);
    await page.getByRole('button', { name: 'Résoudre' }).click();
  };
  await resolveWith({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('camion 12') });
  await page.waitForURL(`${base}/requests/${id}/resolve`);
  const refusal = await page.getByRole('alert').textContent();
  assert.ok(refusal.includes('« notes.txt ». Ce format d\'image n\'est pas pris en charge'), refusal);
  assert.equal(await page.locator('#status').textContent(), 'Pris en compte');
  await page.screenshot({ path: join(shots, 'request-photo-refused.png'), fullPage: false });
  await resolveWith({ name: 'IMG_20190520.jpg', mimeType: 'image/jpeg', buffer: cameraPhoto() });
  await page.waitForURL(/done=resolve/);
  assert.equal(await page.locator('#status').textContent(), 'Résolu');
  const shown = page.locator(`img[src^="/requests/${id}/photos/"]`);
  assert.equal(await shown.count(), 1);
  assert.deepEqual(
    await shown.evaluate((img) => [img.complete, img.naturalWidth, img.naturalHeight]),
    [true, 1536, 2048],
    'the stored photo is served back upright (portrait) and shrunk',
  );
  const stored = await page.request.get(`${base}${await shown.getAttribute('src')}`);
  assert.deepEqual(metadataSegments(Buffer.from(await stored.body())), [], 'no metadata left');
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

  // Filtered to one arrondissement and to town halls: only the 5th's hall is left.
  await page.getByLabel('Crosshairs').selectOption('midpoint');
  await page.getByLabel('Zone', { exact: true }).selectOption('75105');
  await page.getByLabel('Kind of service').selectOption('Mairie');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/zone=75105/);
  assert.equal(await page.locator('#ipa-table tbody tr').count(), 1);
  assert.equal(
    await page.locator('#ipa-table tr[data-service="mairie-75105"]').getAttribute('data-quadrant'),
    'keep_up_the_good_work');
  await page.screenshot({ path: join(shots, 'ratings-en-filtered.png'), fullPage: false });
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
  // Zones from a file, confirmed, imported in a job whose page shows how far it got.
  const islet = { type: 'FeatureCollection', features: [{ type: 'Feature',
    properties: { code: '7510499', name: 'Îlot du test', kind: 'quartier', parent: '75104' },
    geometry: { type: 'Polygon',
      coordinates: [[[2.35, 48.855], [2.36, 48.855], [2.36, 48.86], [2.35, 48.855]]] } }] };
  await page.getByLabel('Fichier GeoJSON').setInputFiles({ name: 'ilot.geojson',
    mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(islet)) });
  await page.getByRole('button', { name: 'Importer' }).click();
  assert.equal(page.url(), `${base}/admin/zones`, 'the unticked box stops the form');
  await page.getByLabel(/Je confirme : les zones/).check();
  await page.getByRole('button', { name: 'Importer' }).click();
  assert.equal(await finishedImport(page), '1 zone(s) importée(s).');
  assert.equal(await page.locator('#import-progress').getAttribute('value'), '2');
  await page.screenshot({ path: join(shots, 'admin-import-zones.png'), fullPage: false });
  await page.getByRole('link', { name: 'Retour' }).click();
  assert.ok((await page.textContent('main')).includes('Îlot du test'));

  // The directory of public services, from an open-data file, in a job too.
  await page.getByRole('link', { name: 'Annuaire des services' }).click();
  await page.waitForURL(`${base}/admin/directory`);
  const kiosk = [{ id: 'kiosque-test', name: { fr: 'Kiosque du square', en: 'Square kiosk' },
    kind: { fr: 'Kiosque', en: 'Kiosk' }, location: { lat: 48.857, lon: 2.355 } }];
  await page.getByLabel('Fichiers', { exact: true }).setInputFiles({ name: 'kiosque.json',
    mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(kiosk)) });
  await page.getByRole('button', { name: 'Importer' }).click();
  const imported = await finishedImport(page);
  assert.ok(imported.includes('1 ajoutée(s)'), imported);
  await page.getByRole('link', { name: 'Retour' }).click();
  await page.waitForURL(`${base}/admin/directory`);
  assert.ok((await page.textContent('#directory-kinds')).includes('Kiosque'));
  await page.screenshot({ path: join(shots, 'admin-directory.png'), fullPage: false });

  // An alert to the people of an arrondissement.
  await page.getByRole('link', { name: 'Alertes' }).click();
  await page.waitForURL(`${base}/admin/alerts`);
  await page.getByLabel(/^Zones/).selectOption('75104');
  await page.getByLabel('Titre en français').fill('Travaux rue de Rivoli');
  await page.getByLabel('Titre en anglais').fill('Roadworks rue de Rivoli');
  await page.getByLabel('Texte en français').fill('La rue est fermée la nuit.');
  await page.getByLabel('Texte en anglais').fill('The street is closed at night.');
  await page.getByLabel('Premier jour').fill('2026-12-07');
  await page.getByLabel('Dernier jour').fill('2026-12-11');
  await page.getByRole('button', { name: 'Publier' }).click();
  await page.waitForURL(/done=1/);
  // Listed with both languages and who published it; withdrawn once the box is ticked.
  const listed = page.locator('#alerts tbody tr');
  assert.equal(await listed.count(), 1);
  const alertRow = await listed.textContent();
  for (const shown of ['Travaux rue de Rivoli', 'The street is closed at night.', 'à venir']) {
    assert.ok(alertRow.includes(shown), alertRow);
  }
  await page.screenshot({ path: join(shots, 'admin-alerts.png'), fullPage: false });
  await listed.getByLabel('Je confirme').check();
  await listed.getByRole('button', { name: 'Retirer' }).click();
  await page.waitForURL(/done=1/);
  assert.ok((await page.locator('#alerts tbody tr').textContent()).includes('terminée'));

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
