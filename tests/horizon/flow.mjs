// tests/horizon/flow.mjs — the Backups panel of Horizon 23 in Debian's headless Chromium, driven by
// playwright-core (started by tests/horizon/run, which serves Horizon and the block-storage API).
//
// Steps, each asserting what the page shows and saving a screenshot in $SHOTS:
//   1 login            a-member (member of ember-a) logs in and reaches the Volumes panel
//   2 volume           "Create Volume": the new volume's row becomes Available
//   3 backup           "Create Backup" from the volume's row (no Incremental checkbox yet): the
//                      Backups panel shows it, and it becomes Available
//   4 incremental      the form now offers "Incremental"; ticked, the backup becomes Available
//   5 delete-full      deleting the full is refused ("Unable to delete Volume Backup: <full>") and
//                      the full stays Available
//   6 restore          "Restore Backup" of the incremental into "Create a New Volume": the message
//                      names the new volume, whose row becomes Available, and the backup is Available
//   7 delete-top       the incremental, then the full: each deletion is scheduled and its row goes
//   8 admin-force-delete  a-admin: a backup held in "creating" (what its copy waits on is paused:
//                      cinder-volume in topology 1, the Ceph cluster's I/O in topology 2) is offered
//                      "Force Delete"; the RBD driver has no force delete, so the answer must be cinder's
//                      refusal and the row stays
//   9 admin-reset-status  a-admin: "Update Volume backup Status" to Error: the success message and
//                      the row shows Error; once resumed, the admin deletes it and the row goes
// A step whose prerequisite failed is reported FAIL ("not run"). Prints "horizon: t<N> <step> PASS|FAIL
// ..." per step and "flow: done" at the end.
//
// Environment: HORIZON_URL, SHOTS (screenshot directory), FIXTURE (Keystone fixture.json), TOPOLOGY,
// HOLD_ON and HOLD_OFF (shell commands that pause and resume what a backup's copy waits on, to hold
// it in "creating"), HOLD_WHAT (what they pause, for the log), PROFILE_DIR (a fresh
// --user-data-dir), TAG.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { execSync } from 'node:child_process';

const URL0 = process.env.HORIZON_URL;
const SHOTS = process.env.SHOTS;
const T = 't' + (process.env.TOPOLOGY || '1');
const HOLD_ON = process.env.HOLD_ON || '';
const HOLD_OFF = process.env.HOLD_OFF || '';
const HOLD_WHAT = process.env.HOLD_WHAT || HOLD_ON;
const fx = JSON.parse(fs.readFileSync(process.env.FIXTURE, 'utf8'));
const suffix = process.env.TAG ? '-' + process.env.TAG : '';
const N = {
  vol: 'hz-vol' + suffix, full: 'hz-full' + suffix, incr: 'hz-incr' + suffix, held: 'hz-held' + suffix,
};
// Generous: this machine is loaded; every wait polls and ends as soon as the page shows the state.
const PAGE_TIMEOUT = 90_000;
const STATUS_TIMEOUT = 240_000;

const results = [];
let shotNo = 0;
let page;
let paused = false;

function log(...a) { console.log(new Date().toISOString().slice(11, 19), ...a); }

async function shot(name) {
  shotNo += 1;
  const file = `${SHOTS}/${String(shotNo).padStart(2, '0')}-${name}.png`;
  try { await page.screenshot({ path: file, fullPage: true }); } catch (e) { log('screenshot failed:', e.message); }
  return file;
}

async function step(name, needs, fn) {
  const missing = needs.filter((n) => !results.find((r) => r.name === n && r.ok));
  if (missing.length) {
    results.push({ name, ok: false });
    console.log(`horizon: ${T} ${name} FAIL (not run: needs ${missing.join(', ')})`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    await shot(name);
    console.log(`horizon: ${T} ${name} PASS (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
  } catch (e) {
    results.push({ name, ok: false });
    const f = await shot(name + '-FAILED');
    try { fs.writeFileSync(f.replace(/\.png$/, '.html'), await page.content()); } catch { /* page gone */ }
    console.log(`horizon: ${T} ${name} FAIL (${((Date.now() - t0) / 1000).toFixed(0)}s): ${String(e.message).split('\n')[0]}`);
  }
}

function check(cond, msg) { if (!cond) throw new Error(msg); }

async function go(path) {
  await page.goto(URL0 + path, { waitUntil: 'domcontentloaded' });
}

// The texts of the toasts Horizon shows after an action (kept in the DOM until dismissed).
async function messages() {
  try {
    return await page.locator('.messages .alert, #main_content .alert').allInnerTexts();
  } catch (e) {
    if (/context was destroyed|navigation/i.test(e.message)) return []; // a new page is loading
    throw e;
  }
}

async function waitMessage(re, timeout = PAGE_TIMEOUT) {
  const t0 = Date.now();
  for (;;) {
    const all = await messages();
    const hit = all.find((m) => re.test(m));
    if (hit) return hit;
    if (Date.now() - t0 > timeout) throw new Error(`no message matching ${re}; messages: ${JSON.stringify(all)}`);
    await page.waitForTimeout(500);
  }
}

// Removes the toasts shown so far: they cover the table's action buttons, and a message awaited
// after an action must be a new one.
async function dismiss() {
  await page.evaluate(() => document.querySelectorAll('.messages .alert').forEach((a) => a.remove())).catch(() => {});
}

// A table row by its display name, or by {id} (a restored volume takes its source's name, as in cinder).
function row(table, key) {
  const sel = typeof key === 'string' ? `[data-display="${key}"]` : `[data-object-id="${key.id}"]`;
  return page.locator(`table#${table} tbody tr${sel}`);
}
function label(key) { return typeof key === 'string' ? key : key.id; }

async function statusOf(r) {
  const c = r.locator('td.status_up, td.status_down, td.warning').first();
  return (await c.innerText({ timeout: 10_000 })).trim();
}

// count() of a locator, 0 while a navigation replaces the page.
async function countOf(l) {
  try { return await l.count(); } catch (e) {
    if (/context was destroyed|navigation/i.test(e.message)) return 0;
    throw e;
  }
}

// Polls the table row until its status cell reads `want` (Horizon refreshes such rows by AJAX; the
// page is reloaded every 20 s as well). Fails early when the row shows a final state other than want.
async function waitStatus(path, table, name, want, { bad = /^(Error.*)$/ } = {}) {
  const t0 = Date.now();
  let last = '(no row)';
  let loaded = Date.now();
  for (;;) {
    const r = row(table, name);
    if (await countOf(r)) {
      last = await statusOf(r).catch(() => last);
      if (last === want) return r;
      if (bad && bad.test(last) && !bad.test(want)) throw new Error(`${label(name)} became ${last} (waiting for ${want})`);
    }
    if (Date.now() - t0 > STATUS_TIMEOUT) throw new Error(`${label(name)} is "${last}" after ${STATUS_TIMEOUT / 1000}s, not ${want}`);
    if (Date.now() - loaded > 20_000) { await go(path); loaded = Date.now(); } else await page.waitForTimeout(1000);
  }
}

async function waitGone(path, table, name) {
  const t0 = Date.now();
  let loaded = Date.now();
  for (;;) {
    const r = row(table, name);
    if (!(await countOf(r))) { await page.waitForLoadState('domcontentloaded'); if (!(await countOf(r))) return; }
    const s = await statusOf(r).catch(() => '?');
    if (/^Error/.test(s)) throw new Error(`${label(name)} became ${s} instead of going away`);
    if (Date.now() - t0 > STATUS_TIMEOUT) throw new Error(`${label(name)} still listed (${s}) after ${STATUS_TIMEOUT / 1000}s`);
    if (Date.now() - loaded > 10_000) { await go(path); loaded = Date.now(); } else await page.waitForTimeout(1000);
  }
}

// Clicks a row action: the primary button when it is that one, else through the row's dropdown.
async function rowAction(table, name, action) {
  const r = row(table, name);
  await r.waitFor();
  await dismiss();
  const id = await r.getAttribute('data-object-id');
  const a = page.locator(`#${table}__row_${id}__action_${action}`);
  if (!(await a.isVisible())) {
    await r.locator('.dropdown-toggle').first().click();
  }
  await a.click();
  return id;
}

async function modal() {
  const m = page.locator('.modal:visible').last();
  await m.waitFor();
  return m;
}

// Submits the visible modal form; Horizon answers with a redirect (a new page) or re-renders.
async function submitModal(m) {
  await dismiss();
  await m.locator('.modal-footer [type=submit], .modal-footer .btn-primary').first().click();
}

// Picks a value in Horizon's themable select (a dropdown standing for a hidden <select>) as a user does.
async function choose(m, id, value) {
  const box = m.locator(`.themable-select:has(#${id})`);
  await box.locator('.dropdown-toggle').click();
  await box.locator(`.dropdown-menu a[data-select-value="${value}"]`).click();
  const v = await m.locator(`#${id}`).inputValue();
  check(v === value, `#${id} holds "${v}", not "${value}"`);
}

// A delete-style confirmation ("Confirm Delete Volume Backup").
async function confirm() {
  const m = await modal();
  await dismiss();
  await m.locator('.modal-footer .btn-danger, .modal-footer .btn-primary').first().click();
}

async function login(user) {
  await go('/auth/login/');
  await page.locator('#id_username').fill(user);
  await page.locator('#id_password').fill(fx.password);
  await page.locator('#loginBtn').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/auth/login'), { timeout: PAGE_TIMEOUT });
  await go('/project/volumes/');
  const who = await page.locator('.navbar, header').first().innerText();
  check(who.includes(user), `the page header does not name ${user}: ${who.replace(/\s+/g, ' ').slice(0, 200)}`);
  check(who.includes(fx.projects.a.name), `the page header does not name project ${fx.projects.a.name}`);
  check(await page.locator('table#volumes').count() === 1, 'no Volumes table');
}

async function openBackupForm() {
  await go('/project/volumes/');
  await rowAction('volumes', { id: volId }, 'backups');
  const m = await modal();
  await m.locator('#id_name').waitFor();
  return m;
}

// bash: dash's kill (execSync's default /bin/sh) cannot signal a process group.
function pause(on) {
  if (!HOLD_ON) return;
  execSync(on ? HOLD_ON : HOLD_OFF, { stdio: 'inherit', timeout: 60_000, shell: '/bin/bash' });
  paused = on;
  log(on ? 'paused' : 'resumed', HOLD_WHAT, '(' + (on ? HOLD_ON : HOLD_OFF) + ')');
}
for (const sig of ['exit', 'SIGINT', 'SIGTERM']) {
  process.on(sig, () => { if (paused) { try { execSync(HOLD_OFF, { stdio: 'inherit', timeout: 60_000, shell: '/bin/bash' }); } catch { /* gone */ } } if (sig !== 'exit') process.exit(1); });
}

const ctx = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
  viewport: { width: 1400, height: 900 },
});
page = ctx.pages()[0] || await ctx.newPage();
page.setDefaultTimeout(PAGE_TIMEOUT);
page.on('dialog', (d) => d.accept());

let restoredId = null;
let volId = null;

await step('login', [], async () => {
  await login('a-member');
});

await step('volume', ['login'], async () => {
  await go('/project/volumes/');
  await dismiss();
  await page.locator('#volumes__action_create').click();
  const m = await modal();
  await m.locator('#id_name').fill(N.vol);
  await m.locator('#id_size').fill('1');
  await submitModal(m);
  await waitMessage(new RegExp(`Creating volume "${N.vol}"`));
  const r = await waitStatus('/project/volumes/', 'volumes', N.vol, 'Available');
  volId = await r.getAttribute('data-object-id');
});

await step('backup', ['volume'], async () => {
  const m = await openBackupForm();
  check(await m.locator('#id_incremental').count() === 0, 'the Incremental checkbox is offered before any backup exists');
  await m.locator('#id_name').fill(N.full);
  await submitModal(m);
  await page.waitForURL(/\/project\/backups\//);
  await waitMessage(new RegExp(`Creating volume backup "${N.full}"`));
  await waitStatus('/project/backups/', 'volume_backups', N.full, 'Available');
});

await step('incremental', ['backup'], async () => {
  const m = await openBackupForm();
  const box = m.locator('#id_incremental');
  check(await box.count() === 1, 'no Incremental checkbox although an available backup exists');
  await m.locator('#id_name').fill(N.incr);
  await m.locator('label[for="id_incremental"]').click();
  check(await box.isChecked(), 'the Incremental checkbox did not tick');
  await submitModal(m);
  await page.waitForURL(/\/project\/backups\//);
  await waitMessage(new RegExp(`Creating volume backup "${N.incr}"`));
  await waitStatus('/project/backups/', 'volume_backups', N.incr, 'Available');
});

await step('delete-full', ['incremental'], async () => {
  await go('/project/backups/');
  await rowAction('volume_backups', N.full, 'delete');
  await confirm();
  await waitMessage(new RegExp(`Unable to delete Volume Backup: ${N.full}`, 'i'));
  await shot('delete-full-refused');
  const all = await messages();
  check(!all.some((t) => /Scheduled deletion/i.test(t)), `a deletion was scheduled: ${JSON.stringify(all)}`);
  await go('/project/backups/');
  const r = row('volume_backups', N.full);
  check(await r.count() === 1, `${N.full} is no longer listed`);
  const s = await statusOf(r);
  check(s === 'Available', `${N.full} is ${s} after the refused deletion`);
});

await step('restore', ['incremental'], async () => {
  await go('/project/backups/');
  await rowAction('volume_backups', N.incr, 'restore');
  const m = await modal();
  await choose(m, 'id_volume_id', '');
  await submitModal(m);
  const msg = await waitMessage(/Request for restoring backup/);
  const id = /volume with id: ([0-9a-f-]{36})/.exec(msg);
  check(id, `the message names no volume: ${msg}`);
  restoredId = id[1];
  await go('/project/volumes/');
  const r = page.locator(`table#volumes tbody tr[data-object-id="${restoredId}"]`);
  await r.waitFor({ timeout: PAGE_TIMEOUT });
  check(restoredId !== volId, 'the restore went into the source volume, not a new one');
  log(`restored into volume ${restoredId} named "${await r.getAttribute('data-display')}"`);
  await waitStatus('/project/volumes/', 'volumes', { id: restoredId }, 'Available');
  await shot('restore-volumes');
  await waitStatus('/project/backups/', 'volume_backups', N.incr, 'Available');
});

await step('delete-top', ['delete-full'], async () => {
  for (const name of [N.incr, N.full]) {
    await go('/project/backups/');
    await waitStatus('/project/backups/', 'volume_backups', name, 'Available');
    await rowAction('volume_backups', name, 'delete');
    await confirm();
    await waitMessage(new RegExp(`Scheduled deletion of Volume Backup: ${name}`, 'i'));
    await waitGone('/project/backups/', 'volume_backups', name);
  }
});

await step('admin-login', ['login'], async () => {
  await go('/auth/logout/');
  await login('a-admin');
  await go('/admin/backups/');
  check(await page.locator('table#volume_backups').count() === 1, 'no Admin > Backups table for a-admin');
});

await step('admin-force-delete', ['admin-login', 'volume'], async () => {
  check(HOLD_ON && HOLD_OFF, 'tests/horizon/run named nothing to pause (HOLD_ON, HOLD_OFF), so no backup can be held in "creating"');
  await waitStatus('/project/volumes/', 'volumes', { id: volId }, 'Available');
  pause(true);
  const m = await openBackupForm();
  await m.locator('#id_name').fill(N.held);
  await submitModal(m);
  await page.waitForURL(/\/project\/backups\//);
  await go('/admin/backups/');
  await waitStatus('/admin/backups/', 'volume_backups', N.held, 'Creating');
  await rowAction('volume_backups', N.held, 'delete_force');
  await confirm();
  await waitMessage(new RegExp(`Unable to force delete Volume Backup: ${N.held}`, 'i'));
  await shot('admin-force-delete-refused');
  await go('/admin/backups/');
  check(await row('volume_backups', N.held).count() === 1, `${N.held} is no longer listed after the refused force delete`);
});

await step('admin-reset-status', ['admin-login', 'volume'], async () => {
  await go('/admin/backups/');
  if (!(await row('volume_backups', N.held).count())) {
    // No held backup (the force-delete step could not make one): reset an ordinary one.
    const f = await openBackupForm();
    await f.locator('#id_name').fill(N.held);
    await submitModal(f);
    await page.waitForURL(/\/project\/backups\//);
    await waitStatus('/admin/backups/', 'volume_backups', N.held, 'Available');
  }
  await go('/admin/backups/');
  await rowAction('volume_backups', N.held, 'update_status');
  const m = await modal();
  await choose(m, 'id_status', 'error');
  await submitModal(m);
  await waitMessage(/Successfully updated volume backup status to "Error"/i);
  await waitStatus('/admin/backups/', 'volume_backups', N.held, 'Error', { bad: null });
  await shot('admin-reset-status-error');
  // Let the held backup finish (or fail), then the admin removes it.
  pause(false);
  await waitStatus('/project/volumes/', 'volumes', { id: volId }, 'Available');
  await go('/admin/backups/');
  const s = await statusOf(row('volume_backups', N.held));
  log(`${N.held} after resuming ${HOLD_WHAT}: ${s}`);
  await rowAction('volume_backups', N.held, 'delete');
  await confirm();
  await waitMessage(new RegExp(`Scheduled deletion of Volume Backup: ${N.held}`, 'i'));
  await waitGone('/admin/backups/', 'volume_backups', N.held);
});
if (paused) pause(false);

// Clean-up, not a step: the volumes (their RBD images live in the shared cluster).
try {
  await go('/project/volumes/');
  for (const id of await page.locator('table#volumes tbody tr[data-object-id]').evaluateAll((rs) => rs.map((r) => r.dataset.objectId))) {
    await go('/project/volumes/');
    await rowAction('volumes', { id }, 'delete');
    await confirm();
    await page.waitForLoadState('domcontentloaded');
  }
} catch (e) { log('clean-up:', e.message.split('\n')[0]); }

await ctx.close();
const ok = results.filter((r) => r.ok).length;
console.log(`flow: done, ${ok} of ${results.length} steps passed`);
