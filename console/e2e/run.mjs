// End-to-end stories of the Anju console and kiosk in a real browser (Debian's chromium driven by
// playwright-core). Run from console/: `node e2e/run.mjs` (or `npm run e2e`).
// ANJU_API_BIN: the api binary (default /var/tmp/anju-bin/api); it serves the built console at
// /console/ and the kiosk at /kiosk/. Screenshots go to ../docs/screenshots/.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { call, creditCode, idNumber, login } from './api.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.ANJU_API_BIN || '/var/tmp/anju-bin/api';
// The api refuses ANJU_ variables it does not know: the server gets none of the runner's own.
const serverEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'ANJU_API_BIN'),
);
const SHOTS = resolve(HERE, '../../docs/screenshots');
const FAILURES = '/tmp/anju-e2e-failures';
const JSQR = resolve(HERE, '../node_modules/jsqr/dist/jsQR.js');
const DESK = { width: 1366, height: 768 };
const WAIT = 30_000;
const START_WAIT = 180_000;

const STAFF_ROLES = ['platform_admin', 'site_admin', 'staff', 'group_leader', 'store_clerk'];
// The console's areas (src/router/areas.ts): menu text and who sees it.
const AREAS = [
  ['service-desk', '服务台', ['group_leader', 'staff', 'site_admin', 'platform_admin']],
  ['registry', '居民档案', ['group_leader', 'staff', 'site_admin', 'platform_admin']],
  ['recruitment', '就业招聘', ['staff', 'site_admin', 'platform_admin']],
  ['activities', '活动管理', ['staff', 'site_admin', 'platform_admin']],
  ['points', '积分管理', ['group_leader', 'staff', 'site_admin', 'platform_admin']],
  ['store', '积分超市', ['staff', 'site_admin', 'platform_admin']],
  ['broadcasts', '通知公告', ['staff', 'site_admin', 'platform_admin']],
  ['admin', '系统管理', ['site_admin', 'platform_admin']],
];

function log(line) {
  process.stdout.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// The server

async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'anju-e2e-'));
  const child = spawn(BIN, ['--demo'], {
    env: { ...serverEnv, ANJU_DATA_DIR: dataDir, ANJU_LISTEN: '127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logins = {};
  let output = '';
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      fail(new Error(`no "Anju is listening" line in ${START_WAIT / 1000} s`));
    }, START_WAIT);
    const onData = (chunk) => {
      output += chunk.toString();
      for (const m of output.matchAll(/^\s+([a-z_]+)\s+(1\d{10})\s+(.*)$/gm)) {
        logins[m[1]] = { role: m[1], phone: m[2], note: m[3].trim() };
      }
      const listening = output.match(/Anju is listening: http:\/\/127\.0\.0\.1:(\d+)\//);
      if (listening) {
        clearTimeout(timer);
        ok(Number(listening[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      fail(new Error(`the api exited (${code}) before listening:\n${output.slice(-2000)}`));
    });
  });
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + START_WAIT;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error('/readyz never answered 200');
    await new Promise((r) => setTimeout(r, 500));
  }
  const stop = () => {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, logins, stop };
}

// ---------------------------------------------------------------------------------------------
// Browser helpers

let browser;

async function newPage(viewport = DESK, keep = false) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  if (!keep) current.pages.push(page);
  current.last = page;
  return page;
}

// One signed-in console page per role, kept across stories: the server limits sign-in attempts
// per account, so the stories do not sign in again for every screen.
const sessions = new Map();

async function session({ base, logins }, role) {
  let page = sessions.get(role);
  if (!page || page.isClosed()) {
    page = await newPage(DESK, true);
    await signIn(page, base, logins[role].phone);
    sessions.set(role, page);
  }
  page.errors = [];
  current.last = page;
  return page;
}

async function dropSessions() {
  for (const page of sessions.values()) await page.context().close().catch(() => {});
  sessions.clear();
}

/** Opens an area through the main menu. */
async function openArea(page, title, path) {
  await page.getByRole('navigation', { name: '主菜单' }).getByText(title, { exact: true }).click();
  await page.waitForURL(`**/console/${path}**`);
}

// API tokens, one per role.
const tokens = new Map();
async function token({ base, logins }, role) {
  if (!tokens.has(role)) tokens.set(role, await login(base, logins[role].phone));
  return tokens.get(role);
}

async function visible(locator, timeout = WAIT) {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** A screenshot of the settled screen: data loaded, transitions finished. */
async function shot(page, name) {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
}

/** Signs in through the login page; returns when the console's menu is shown. */
async function signIn(page, base, phone) {
  await page.goto(`${base}/console/`);
  await (await visible(page.getByRole('textbox', { name: '手机号' }))).fill(phone);
  await page.getByLabel('密码', { exact: true }).fill('anju-demo-2026');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await visible(page.getByRole('navigation', { name: '主菜单' }));
}

/** No error box on the page and no uncaught script error. */
async function expectNoError(page, what) {
  await page.waitForLoadState('networkidle');
  const boxes = page.locator('.el-alert--error:visible, .el-message--error:visible');
  if ((await boxes.count()) > 0) {
    throw new Error(`${what}: error shown: ${(await boxes.first().innerText()).trim()}`);
  }
  if (page.errors.length > 0) throw new Error(`${what}: script error: ${page.errors.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// Stories

const stories = [];
function story(name, fn) {
  stories.push({ name, fn });
}
const current = { pages: [], last: null };
const ctx = {};

story('1 每个工作人员角色登录后看到对应的菜单', async ({ base, logins }) => {
  const roles = STAFF_ROLES.filter((r) => logins[r]);
  for (const role of ['platform_admin', 'site_admin', 'staff', 'group_leader']) {
    if (!logins[role]) throw new Error(`the demo did not print a ${role} login`);
  }
  for (const role of roles) {
    const page = await session({ base, logins }, role);
    const nav = page.getByRole('navigation', { name: '主菜单' });
    for (const [, title, who] of AREAS) {
      const item = nav.getByText(title, { exact: true });
      if (who.includes(role)) await visible(item);
      else if ((await item.count()) > 0) throw new Error(`${role} sees menu item ${title}`);
    }
    if (role === 'staff') {
      await visible(page.getByRole('textbox', { name: '搜索居民' }));
      await expectNoError(page, 'staff landing');
      await shot(page, 'service-desk');
    }
    log(`    ${role}: menu ok`);
  }
});

story('2 服务台：查找居民、代为报名活动、办事记录', async ({ base, logins }) => {
  const staff = await token({ base, logins }, 'staff');
  const me = await call(base, 'GET', '/api/v1/me', { token: staff });
  ctx.siteId = me.site_id;
  const list = await call(base, 'GET', '/api/v1/residents?limit=1', { token: staff });
  const resident = list.items[0];
  if (!resident?.phone) throw new Error('GET /api/v1/residents?limit=1 gave no resident with a phone');
  const revealed = await call(base, 'POST', `/api/v1/residents/${resident.id}/id-card/reveal`, {
    token: staff,
    body: { reason: '端到端测试：按身份证后四位查找' },
  });
  const last4 = revealed.id_card_number.slice(-4);
  const start = Date.now() + 3 * 86_400_000;
  const title = `消防安全讲座 ${String(Date.now()).slice(-5)}`;
  await call(base, 'POST', '/api/v1/activities', {
    token: staff,
    body: {
      site_id: me.site_id,
      title,
      description: '讲解家庭用火用电安全。',
      kind: 'lecture',
      place: '社区服务中心二楼',
      starts_at: new Date(start).toISOString(),
      ends_at: new Date(start + 2 * 3_600_000).toISOString(),
      capacity: 50,
      contact: '服务中心 0398-1234567',
    },
  });

  const page = await session({ base, logins }, 'staff');
  await openArea(page, '服务台', 'service-desk');
  const box = await visible(page.getByRole('textbox', { name: '搜索居民' }));
  const table = page.getByLabel('居民列表');
  // By phone.
  await box.fill(resident.phone);
  await box.press('Enter');
  await visible(table.getByRole('row').filter({ hasText: resident.phone }).filter({ hasText: resident.name }));
  // By the last four characters of the ID number.
  await box.fill(last4);
  await box.press('Enter');
  const row = await visible(table.getByRole('row').filter({ hasText: resident.phone }).filter({ hasText: resident.name }));
  log(`    found ${resident.name} by phone and by ID tail ${last4}`);
  await row.getByRole('button', { name: '办理' }).click();
  const drawer = await visible(page.getByRole('dialog', { name: `居民：${resident.name}` }));
  await visible(drawer.getByText(resident.phone));
  await expectNoError(page, 'resident drawer');
  await shot(page, 'resident');

  await drawer.getByRole('button', { name: '代为报名活动' }).click();
  const dialog = await visible(page.getByRole('dialog', { name: `代为报名活动：${resident.name}` }));
  await (await visible(dialog.getByText(title, { exact: true }))).click();
  await visible(dialog.locator('.is-checked').filter({ hasText: title }));
  await dialog.getByRole('button', { name: '确认代为报名活动' }).click();
  await visible(dialog.getByRole('status'));
  await dialog.getByRole('button', { name: '完成' }).click();
  await dialog.waitFor({ state: 'hidden' });

  await drawer.getByRole('tab', { name: '办事记录' }).click();
  await drawer.getByText('活动报名', { exact: true }).click();
  await visible(drawer.getByLabel('活动报名记录').getByRole('row').filter({ hasText: title }));
  log(`    signed up for "${title}", shown in the history`);
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
});

story('3 各页面正常显示', async ({ base, logins }) => {
  const page = await session({ base, logins }, 'staff');
  for (const [path, title] of AREAS.filter(([p]) => p !== 'admin' && p !== 'service-desk')) {
    await openArea(page, title, path);
    await expectNoError(page, title);
    await shot(page, path);
    log(`    staff: ${title} ok`);
  }
  const admin = await session({ base, logins }, 'site_admin');
  await openArea(admin, '系统管理', 'admin');
  await expectNoError(admin, '系统管理');
  await shot(admin, 'admin');
  log('    site_admin: 系统管理 ok');
});

story('4 导入居民：错误行显示在问题表中', async ({ base, logins }) => {
  const page = await session({ base, logins }, 'site_admin');
  await openArea(page, '居民档案', 'registry');
  await (await visible(page.getByRole('button', { name: '导入居民' }))).click();
  const dialog = await visible(page.getByRole('dialog', { name: '导入居民' }));
  const good = idNumber('19850312', 131);
  const bad = `${idNumber('19900705', 242).slice(0, 17)}${idNumber('19900705', 242).endsWith('1') ? '2' : '1'}`;
  const csv = [
    '居委会,居民组,楼栋,户号,与户主关系,姓名,性别,出生日期,手机号,身份证号',
    `第一居委会,第1组,1,1-101,户主,测试甲,男,1985-03-12,,${good}`,
    `第一居委会,第1组,1,1-102,户主,测试乙,女,1990-07-05,,${bad}`,
  ].join('\n');
  await dialog.locator('input[type=file]').setInputFiles({
    name: 'residents.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${csv}\n`, 'utf8'),
  });
  const problems = dialog.getByLabel('导入问题');
  await visible(problems.getByRole('row').filter({ hasText: '身份证号' }), 60_000);
  await shot(page, 'import-errors');
  log('    the bad row is listed in 导入问题');
  await dialog.getByRole('button', { name: '关闭', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
});

story('5 通知公告：向安置点发送通知', async ({ base, logins }) => {
  const page = await session({ base, logins }, 'staff');
  await openArea(page, '通知公告', 'broadcasts');
  await (await visible(page.getByLabel('标题', { exact: true }))).fill('关于开展冬季消防安全检查的通知');
  await page.getByLabel('内容', { exact: true }).fill('本周六上午九点，社区将逐户检查用电用火安全，请家中留人。');
  await page.getByRole('button', { name: '发送通知' }).click();
  await (await visible(page.getByRole('dialog', { name: '发送通知' }).getByRole('button', { name: '发送', exact: true }))).click();
  await visible(page.getByText('通知已提交，系统正在逐一送达'));
  log('    success message shown');
});

story('6 岗位信息屏：发布岗位、扫码、手机查看', async ({ base, logins }) => {
  const pa = await token({ base, logins }, 'platform_admin');
  const staff = await token({ base, logins }, 'staff');
  if (!ctx.siteId) ctx.siteId = (await call(base, 'GET', '/api/v1/me', { token: staff })).site_id;
  const partner = await call(base, 'POST', '/api/v1/partners', {
    token: pa,
    body: { name: '卢氏县人力资源服务公司', credit_code: creditCode(), scopes: ['jobs:write', 'jobs:read'] },
  });
  const grant = await call(base, 'POST', '/api/v1/auth/token', {
    form: { grant_type: 'client_credentials', client_id: partner.client_id, client_secret: partner.client_secret },
  });
  const title = `仓储分拣员 ${String(Date.now()).slice(-5)}`;
  const posted = await call(base, 'PUT', `/api/v1/partner/jobs/e2e-${Date.now()}`, {
    token: grant.access_token,
    body: {
      version: 1,
      title,
      description: '在物流园分拣包裹，包午餐，上五休二。',
      validThrough: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      hiringOrganization: { name: '卢氏县智慧物流园' },
      jobLocation: { address: '卢氏县产业集聚区物流园' },
      baseSalary: { currency: 'CNY', value: { minValue: 3200, maxValue: 4200, unitText: 'MONTH' } },
      contact: '王经理 13800138000',
    },
  });
  if (posted.status !== 'published') await call(base, 'POST', `/api/v1/jobs/${posted.id}/publish`, { token: staff });

  const kiosk = await newPage({ width: 1920, height: 1080 });
  await kiosk.goto(`${base}/kiosk/?site=${ctx.siteId}`);
  const card = await visible(kiosk.getByRole('article').filter({ has: kiosk.getByRole('heading', { name: title }) }), 60_000);
  await shot(kiosk, 'kiosk');
  await card.getByRole('button', { name: '查看详情和二维码' }).click();
  const detail = await visible(kiosk.getByRole('region', { name: '岗位详情' }));
  await visible(detail.getByRole('heading', { name: title }));
  const qr = await visible(detail.getByRole('img', { name: '手机扫码查看这个岗位' }));
  await qr.evaluate((img) => img.decode());
  await shot(kiosk, 'kiosk-job');
  const png = await qr.screenshot();
  // The kiosk's CSP forbids injected scripts: decode in a blank page of its own.
  const decoder = await newPage({ width: 800, height: 800 });
  await decoder.goto('about:blank');
  await decoder.addScriptTag({ path: JSQR });
  const url = await decoder.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const pixels = g.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(pixels.data, pixels.width, pixels.height);
    return code ? code.data : null;
  }, png.toString('base64'));
  if (!url) throw new Error('jsQR could not read the QR code');
  const expected = `${base}/kiosk/?site=${ctx.siteId}&job=${posted.id}`;
  if (url !== expected) throw new Error(`the QR code reads ${url}, expected ${expected}`);
  log(`    QR code: ${url}`);

  const phone = await newPage({ width: 390, height: 844 });
  await phone.goto(url);
  await visible(phone.getByRole('heading', { name: title }));
  log('    the phone page shows the job');
});

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const started = Date.now();
  mkdirSync(SHOTS, { recursive: true });
  rmSync(FAILURES, { recursive: true, force: true });
  mkdirSync(FAILURES, { recursive: true });
  log(`starting ${BIN} --demo`);
  const server = await startServer();
  log(`server at ${server.base}, demo logins: ${Object.keys(server.logins).join(', ')}`);
  const failed = [];
  try {
    const page = await fetch(`${server.base}/console/`).then((r) => (r.ok ? r.text() : ''));
    if (!page.includes('id="app"')) throw new Error(`${server.base}/console/ does not serve the console`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });
    for (const s of stories) {
      const t0 = Date.now();
      current.pages = [];
      log(`▶ ${s.name}`);
      try {
        await s.fn(server);
        log(`✔ ${s.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed.push(s.name);
        log(`✘ ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
        const last = current.last;
        if (last && !last.isClosed()) {
          const file = join(FAILURES, `${s.name.split(' ')[0]}.png`);
          await last.screenshot({ path: file, fullPage: true }).then(
            () => log(`  screenshot: ${file}`),
            () => {},
          );
        }
        await dropSessions();
      } finally {
        for (const p of current.pages) await p.context().close().catch(() => {});
      }
    }
  } finally {
    await dropSessions();
    await browser?.close();
    server.stop();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(`${stories.length - failed.length}/${stories.length} stories passed in ${secs} s`);
  if (failed.length > 0) {
    log(`failed: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
