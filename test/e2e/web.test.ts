// `sshpod web` as a person uses it: the built CLI started as a process, its URL (with the access
// token) opened in Debian's real headless Chromium, the local test cluster behind it. The page's
// picker and its hostname field open terminals (a shell with a pty through the exec API); keys go
// in as keystrokes and the answer is read from xterm.js's screen; the window's size reaches the
// pty; several terminals at once; an on-demand pod lives while the page beats (its safeguard
// counts the terminal), goes after the heartbeat time once the page is gone and at once when the
// terminal is closed; a wrong token, a foreign Origin or Host are refused; a pod without a shell,
// RBAC's refusal and a dropped connection are said on the page, with a reconnect button.
// The run saves a screenshot of a session to tmp/web-terminal.png (docs/web-terminal.png is a copy).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Browser, browserSkipReason, type Page } from './browser.ts';
import { container, e2eSkipReason, hasStackTrace, pod, repo, run, sshpodBin, sshpodLines, startE2E, waitUntil, type E2E } from './harness.ts';

const MANAGED = 'app.kubernetes.io/managed-by=sshpod';
/** The server's heartbeat time (seconds): an on-demand pod outlives its page by this long. */
const HEARTBEAT = 4;
/** The template's safeguard: shorter than the time the test keeps its page open. */
const IDLE = 4;
const SCREENSHOT = join(repo, 'tmp', 'web-terminal.png');

const quickTemplate = `apiVersion: v1
kind: Pod
metadata:
  annotations:
    sshpod/idle-timeout: "${IDLE}"
spec:
  containers:
    - name: box
      image: busybox
`;

interface PodObject {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


interface WebServer {
  child: ChildProcess;
  /** The URL printed on stdout (with the token). */
  url: URL;
  token: string;
  port: number;
  /** http://127.0.0.1:PORT/ */
  base: string;
  audit: () => Array<Record<string, unknown>>;
  auditText: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

let servers = 0;

/** `sshpod web` as a person starts it (on a free port, with an audit log file). */
async function startWeb(e: E2E, args: string[] = []): Promise<WebServer> {
  const auditFile = join(e.home, `web-audit-${++servers}.log`);
  const child = spawn(process.execPath, [sshpodBin, 'web', '--listen', '127.0.0.1:0', '--heartbeat', String(HEARTBEAT), '--audit-log', auditFile, ...args], {
    env: e.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string);
    });
    void exited.then((code) => reject(new Error(`sshpod web exited (${code}): ${stderr}`)));
  });
  const url = new URL(line);
  const auditText = (): string => {
    try {
      return readFileSync(auditFile, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    child,
    url,
    token: url.searchParams.get('token') ?? '',
    port: Number(url.port),
    base: `http://127.0.0.1:${url.port}/`,
    auditText,
    audit: () =>
      auditText()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => stderr,
    exited,
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with exactly these headers (a client that is not a browser, or a hostile one). */
function request(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake for the terminal with these headers: 101, or the refusal's status. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The page's own view of its terminals (window.sshpodWeb, see src/web/page/app.ts). */
const web = {
  count: (page: Page) => page.evaluate<number>('window.sshpodWeb.count()'),
  state: (page: Page, i: number) => page.evaluate<string>(`window.sshpodWeb.states()[${i}]`),
  screen: (page: Page, i: number) => page.evaluate<string>(`window.sshpodWeb.screen(${i})`),
  size: (page: Page, i: number) => page.evaluate<{ cols: number; rows: number }>(`window.sshpodWeb.size(${i})`),
  overlay: (page: Page, i: number) => page.evaluate<string>(`window.sshpodWeb.overlay(${i})`),
};

async function waitLive(page: Page, i: number, timeoutMs = 60_000): Promise<void> {
  await page.waitFor(`terminal ${i} live`, `(() => { const s = window.sshpodWeb.states()[${i}]; const o = window.sshpodWeb.overlay(${i}); return s === 'live' || (o ? 'overlay: ' + o : false); })()`, timeoutMs).then((value) => {
    if (value !== true) throw new Error(`terminal ${i} did not start: ${String(value)}`);
  });
}

/** Types into terminal i as keystrokes (its tab activated, its terminal focused). */
async function typeIn(page: Page, i: number, text: string): Promise<void> {
  await page.send('Page.bringToFront');
  await page.evaluate(`(() => { document.querySelectorAll('#tabs .tab')[${i}].click(); document.querySelectorAll('#terminals .pane')[${i}].querySelector('textarea').focus(); return true; })()`);
  await page.type(text);
}

/** Waits until terminal i's screen has a line matching `pattern`; returns the last such match. */
async function screenLine(page: Page, i: number, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await web.screen(page, i);
    const matches = [...screen.matchAll(new RegExp(pattern.source, 'gm'))];
    if (matches.length > 0) return matches[matches.length - 1] as RegExpMatchArray;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on terminal ${i}; screen:\n${screen.trimEnd()}`);
    await pause(100);
  }
}

/** Opens a terminal by typing a hostname into the page's hostname field, as a person does. */
async function openByHostname(page: Page, hostname: string): Promise<number> {
  await page.send('Page.bringToFront');
  await page.evaluate(`(() => { const input = document.getElementById('hostname'); input.focus(); input.select(); return true; })()`);
  await page.type(hostname);
  const before = await web.count(page);
  await page.click('#open');
  await page.waitFor('a new terminal', `window.sshpodWeb.count() > ${before}`);
  return before;
}

describe('sshpod web: the web terminal in a real browser', { skip: e2eSkipReason() ?? browserSkipReason() }, () => {
  let e: E2E;
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  const managed = (): PodObject[] => e.cluster.list('pods', '', MANAGED) as unknown as PodObject[];
  const ofTemplate = (name: string): PodObject[] => managed().filter((p) => p.metadata.labels?.['sshpod/template'] === name);
  const running = (p: PodObject): boolean => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp;
  const deletedFor = (reason: string): Array<Record<string, unknown>> => server.audit().filter((a) => a['action'] === 'pod-deleted' && a['reason'] === reason);

  before(async () => {
    e = await startE2E({
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'locked' } },
        pod('deb', { containers: [container('main', 'debian')] }),
        pod('bb', { containers: [container('main', 'busybox')] }),
        pod('nosh', { containers: [container('main', 'gcr.io/distroless/distroless:nonroot')] }),
        pod('guarded', { containers: [container('main', 'busybox')] }, { namespace: 'locked' }),
      ],
    });
    const templates = join(e.home, '.config', 'sshpod', 'templates');
    mkdirSync(templates, { recursive: true });
    writeFileSync(join(templates, 'quick.yaml'), quickTemplate);
    server = await startWeb(e);
    browser = Browser.launch();
    page = await browser.newPage();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      if (server && server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      await e?.stop();
    }
  });

  test('mistakes at start: one line saying what is wrong, one hint, no stack trace', async () => {
    const busy = http.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const cases: Array<[string[], RegExp, RegExp]> = [
        [['--listen', 'example.com:80'], /^sshpod: --listen example\.com:80 is not ADDRESS:PORT$/, /^hint: e\.g\. --listen 127\.0\.0\.1:7681/],
        [['--heartbeat', '1'], /^sshpod: --heartbeat 1 is not a number of seconds from 2 to 86400$/, /^hint: the default is 60$/],
        [['--listen', `127.0.0.1:${port}`], new RegExp(`^sshpod: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE$`), /^hint: another program uses that port/],
        [['--open', 'pod--.sshpod'], /^sshpod: /, /^hint: /],
      ];
      for (const [args, message, hint] of cases) {
        const result = await e.sshpod(['web', ...args]);
        assert.notEqual(result.code, 0, args.join(' '));
        assert.equal(result.stdout, '', 'nothing on stdout');
        const lines = sshpodLines(result.stderr);
        assert.equal(lines.length, 2, result.stderr);
        assert.match(lines[0] ?? '', message);
        assert.match(lines[1] ?? '', hint);
        assert.ok(!hasStackTrace(result.stderr), result.stderr);
      }
    } finally {
      busy.close();
    }
  });

  test('prints only its URL on stdout, loopback, with a token; the token leaves the address bar for a cookie', async () => {
    assert.equal(server.url.hostname, '127.0.0.1');
    assert.equal(server.url.pathname, '/');
    assert.match(server.token, /^[A-Za-z0-9_-]{43}$/);
    const first = await request(server.port, `/?token=${server.token}`, { Host: `127.0.0.1:${server.port}` });
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    assert.match(String(first.headers['set-cookie']), new RegExp(`^sshpod-web-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/$`));
    await page.goto(server.url.href);
    assert.equal(await page.evaluate<string>('location.href'), server.base, 'no token in the address bar');
    await page.waitFor('the page', 'typeof window.sshpodWeb === "object"');
  });

  test('pick a pod in the picker, type echo $((6*7)), read 42; UTF-8 and colours; a screenshot', async () => {
    await page.waitFor('the picker filled', `[...document.querySelectorAll('#target option')].some((o) => o.textContent === 'pod deb')`);
    const picked = await page.evaluate<string>(`(() => {
      const select = document.getElementById('target');
      const option = [...select.options].find((o) => o.textContent === 'pod deb');
      select.value = option.value;
      select.dispatchEvent(new Event('change'));
      return document.getElementById('hostname').value;
    })()`);
    assert.match(picked, /^pod--deb\.namespace--default(\.context--[a-z0-9-]+)?\.sshpod$/);
    await page.click('#open');
    await waitLive(page, 0);
    await screenLine(page, 0, /[#$] *$/); // the prompt: keys typed before it would be echoed twice
    await typeIn(page, 0, 'echo $((6*7))\n');
    await screenLine(page, 0, /^42$/);
    // UTF-8 typed as octal escapes (the line editor's locale is not the point), printed as bytes.
    await typeIn(page, 0, "printf '\\033[1;32mgreen\\033[0m \\303\\274n\\303\\257c\\303\\266d\\303\\251 \\342\\234\\223 \\316\\273\\342\\206\\222\\342\\210\\236\\n'\n");
    await screenLine(page, 0, /^green ünïcödé ✓ λ→∞$/);
    assert.equal(await page.evaluate<number>(`window.sshpodWeb.colourOf(0, 'green ')`), 2, 'green (palette 2), as the program asked');
    assert.equal(await page.evaluate<number>(`window.sshpodWeb.colourOf(0, ' ünïcödé')`), -1, 'then the default colour');
    await typeIn(page, 0, 'ls --color=always -d /bin /etc /tmp; echo "listed $((40+2))"\n');
    await screenLine(page, 0, /^listed 42$/);
    mkdirSync(join(repo, 'tmp'), { recursive: true });
    writeFileSync(SCREENSHOT, await page.screenshot());
  });

  test('the pty has the size of the window, and follows it', async () => {
    const before = await web.size(page, 0);
    await typeIn(page, 0, 'echo "S=$(stty size)"\n');
    const first = await screenLine(page, 0, /^S=(\d+) (\d+)$/);
    assert.deepEqual({ rows: Number(first[1]), cols: Number(first[2]) }, { rows: before.rows, cols: before.cols });
    await page.setViewport(700, 420);
    await page.waitFor('the terminal to shrink', `(() => { const s = window.sshpodWeb.size(0); return s.cols < ${before.cols} && s.rows < ${before.rows}; })()`);
    await pause(500); // the layout settles (a fit may follow the first)
    const after = await web.size(page, 0);
    await typeIn(page, 0, 'clear; echo "T=$(stty size)"\n');
    const second = await screenLine(page, 0, /^T=(\d+) (\d+)$/);
    assert.deepEqual({ rows: Number(second[1]), cols: Number(second[2]) }, { rows: after.rows, cols: after.cols });
    assert.ok(after.cols < before.cols && after.rows < before.rows);
    await page.send('Emulation.clearDeviceMetricsOverride');
  });

  test('a second terminal, opened by typing a hostname in sshpod\'s grammar; both live at once', async () => {
    const i = await openByHostname(page, 'pod--bb.namespace--default.sshpod');
    assert.equal(i, 1);
    await waitLive(page, 1);
    await typeIn(page, 1, 'echo "on $(hostname)"\n');
    await screenLine(page, 1, /^on bb$/);
    await typeIn(page, 0, 'echo "still $(hostname)"\n');
    await screenLine(page, 0, /^still deb$/);
    assert.deepEqual(await page.evaluate('window.sshpodWeb.states()'), ['live', 'live']);
  });

  test('a paste of 120 KB arrives whole (sent in pieces, flow-controlled both ways)', async () => {
    const lines = Array.from({ length: 2000 }, (_, n) => `${String(n).padStart(5, '0')} ${'pasted-text-'.repeat(4)}ü`);
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    // Without echo: the terminal's echo of the paste would interleave with md5sum's line.
    // The marker comes after bash turned bracketed paste off (it runs the command): the paste is raw.
    await typeIn(page, 0, `clear; stty -echo; echo "reading $((1+1))"; head -c ${bytes} | md5sum | sed 's/^/sum=/'; stty echo\n`);
    await screenLine(page, 0, /^reading 2$/);
    await page.evaluate(`window.sshpodWeb.paste(0, ${JSON.stringify(text)})`);
    const sum = await screenLine(page, 0, /^sum=([0-9a-f]{32})/, 60_000);
    assert.equal(sum[1], createHash('md5').update(text).digest('hex'));
  });

  test('a flood of output (2 MB) reaches the screen whole and the terminal stays usable', async () => {
    await typeIn(page, 0, 'clear; seq 1 300000; echo "flood $((300000+1))"\n');
    await screenLine(page, 0, /^flood 300001$/, 120_000);
    const screen = await web.screen(page, 0);
    assert.match(screen, /^299999\n300000\nflood 300001$/m, 'the last numbers in order');
    await typeIn(page, 0, 'echo "after $((6*7))"\n');
    await screenLine(page, 0, /^after 42$/);
  });

  test('a template terminal: its pod lives while the page beats (past its idle time), goes after the heartbeat time once the page is closed', async () => {
    const other = await browser.newPage();
    await other.goto(server.base); // the cookie: no token needed any more
    await other.waitFor('the page', 'typeof window.sshpodWeb === "object"');
    await openByHostname(other, 'template--quick.sshpod');
    await waitLive(other, 0);
    const made = await waitUntil('the pod', () => ofTemplate('quick').find(running));
    await typeIn(other, 0, 'echo "in $(hostname)"\n');
    await screenLine(other, 0, new RegExp(`^in ${made.metadata.name}$`));
    // Longer than the safeguard's idle time plus its period: the terminal counts as a session.
    await pause((IDLE + 5) * 1000);
    assert.ok(ofTemplate('quick').find((p) => p.metadata.name === made.metadata.name && running(p)), 'the pod still runs');
    assert.equal(await web.state(other, 0), 'live');
    await typeIn(other, 0, 'echo "alive $((2+3))"\n');
    await screenLine(other, 0, /^alive 5$/);
    await other.close();
    await waitUntil('the pod deleted', () => ofTemplate('quick').length === 0 || undefined, 60_000);
    const deleted = deletedFor('heartbeat');
    assert.equal(deleted.length, 1, JSON.stringify(server.audit()));
    assert.equal(deleted[0]?.['pod'], made.metadata.name);
  });

  test('closing a template terminal deletes its pod at once', async () => {
    const i = await openByHostname(page, 'template--quick.sshpod');
    await waitLive(page, i);
    const made = await waitUntil('the pod', () => ofTemplate('quick').find(running));
    await page.evaluate(`document.querySelectorAll('#tabs .tab')[${i}].querySelector('button').click()`);
    await waitUntil('the pod deleted', () => ofTemplate('quick').length === 0 || undefined, 60_000);
    assert.deepEqual(deletedFor('closed').map((a) => a['pod']), [made.metadata.name]);
    assert.equal(await web.count(page), 2);
  });

  test('a pod without a shell, and a pod RBAC keeps from exec: said on the page', async () => {
    const nosh = await openByHostname(page, 'pod--nosh.sshpod');
    const noShell = await page.waitFor<string>('the no-shell message', `window.sshpodWeb.overlay(${nosh})`);
    assert.match(noShell, /sshpod: container "main" of pod "nosh" has no shell \(sh\)/);
    assert.match(noShell, /hint: .*template--debug/);
    e.cluster.deny({ user: 'admin', resource: 'pods/exec', namespace: 'locked' });
    try {
      const locked = await openByHostname(page, 'pod--guarded.namespace--locked.sshpod');
      const refused = await page.waitFor<string>('the refusal', `window.sshpodWeb.overlay(${locked})`);
      assert.match(refused, /sshpod: not allowed to .*pods\/exec/);
      assert.doesNotMatch(refused, /\bat .+:\d+:\d+/, 'no stack trace');
    } finally {
      e.cluster.resetAccess();
    }
    // Both closed again from their message.
    for (let n = 0; n < 2; n++) await page.evaluate(`[...document.querySelectorAll('.overlay button')].find((b) => b.textContent === 'Close').click()`);
    assert.equal(await web.count(page), 2);
  });

  test('a wrong token, a foreign Host, a foreign Origin are refused', async () => {
    const host = `127.0.0.1:${server.port}`;
    const cookie = `sshpod-web-${server.port}=${server.token}`;
    // The token.
    assert.equal((await request(server.port, '/', { Host: host })).status, 401);
    assert.equal((await request(server.port, '/?token=wrong', { Host: host })).status, 401);
    assert.equal((await request(server.port, '/api/contexts', { Host: host, Cookie: `sshpod-web-${server.port}=${'x'.repeat(43)}` })).status, 401);
    assert.equal((await request(server.port, '/api/contexts', { Host: host, Authorization: `Bearer ${server.token}` })).status, 200);
    assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: host, Origin: `http://${host}` }), 401);
    // Host (DNS rebinding: a name that now points at 127.0.0.1).
    assert.equal((await request(server.port, '/api/contexts', { Host: `evil.example:${server.port}`, Cookie: cookie })).status, 403);
    assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}`, Cookie: cookie }), 403);
    // Origin: another site, and another port of the same machine (same site: the cookie goes along).
    for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, 'null']) {
      assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: host, Origin: origin, Cookie: cookie }), 403, origin);
    }
    assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: host, Cookie: cookie }), 403, 'a WebSocket without Origin');
    // Handshakes the WebSocket library refuses itself do not use up the terminals' bound (16 per user).
    for (let n = 0; n < 20; n++) {
      assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: host, Origin: `http://${host}`, Cookie: cookie, 'Sec-WebSocket-Version': '12' }), 400);
    }
    assert.equal(await upgrade(server.port, '/api/terminal?host=pod--bb.sshpod', { Host: host, Origin: `http://${host}`, Cookie: cookie }), 101);
    assert.ok(server.audit().some((a) => a['action'] === 'refused' && /Origin "http:\/\/evil\.example"/.test(String(a['reason']))));
    assert.ok(server.audit().some((a) => a['action'] === 'refused' && /Host "evil\.example/.test(String(a['reason']))));

    // In the browser: a wrong token shows what to do; a page of another origin cannot open a terminal.
    const wrong = await browser.newPage();
    await wrong.goto(`${server.base}?token=wrong`);
    assert.match(await wrong.evaluate<string>('document.body.innerText'), /open the URL `sshpod web` printed/);
    const attacker = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      if (req.url === '/link') return void res.end(`<!doctype html><a href="${server.url.href}">open</a>`);
      res.end(`<!doctype html><script>
        const ws = new WebSocket('ws://127.0.0.1:${server.port}/api/terminal?host=pod--bb.sshpod');
        ws.onopen = () => (document.title = 'opened');
        ws.onclose = () => { if (document.title !== 'opened') document.title = 'refused'; };
      </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (attacker.address() as { port: number }).port;
      const refusedBefore = server.audit().filter((a) => a['action'] === 'refused').length;
      await wrong.goto(`http://127.0.0.1:${port}/`);
      assert.equal(await wrong.waitFor<string>('the attempt to end', `document.title`), 'refused');
      const refusals = server.audit().filter((a) => a['action'] === 'refused').slice(refusedBefore);
      assert.ok(refusals.some((a) => new RegExp(`Origin "http://127\\.0\\.0\\.1:${port}"|Sec-Fetch-Site`).test(String(a['reason']))), JSON.stringify(refusals));
      // Even with the token, a link on another site does not open the page (nor hand over a terminal).
      await wrong.goto(`http://127.0.0.1:${port}/link`);
      await wrong.evaluate(`document.querySelector('a').click()`);
      const shown = await wrong.waitFor<string>('the refusal page', `location.port === '${server.port}' && document.readyState === 'complete' && document.body.innerText`);
      assert.match(shown, /refused: this request does not come from the sshpod web page/);
    } finally {
      attacker.close();
      await wrong.close();
    }
    assert.ok(!server.auditText().includes(server.token), 'the audit log never holds the token');
    assert.ok(!server.stderr().includes(server.token), 'neither does stderr');
  });

  test('the page is served compressed to a browser that takes gzip', async () => {
    const headers = { Host: `127.0.0.1:${server.port}`, Cookie: `sshpod-web-${server.port}=${server.token}` };
    const sizes: Record<string, [number, number]> = {};
    for (const path of ['/', '/assets/app.js', '/assets/app.css']) {
      const plain = await request(server.port, path, headers);
      const gzip = await request(server.port, path, { ...headers, 'Accept-Encoding': 'gzip, deflate, br' });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(gzip.headers['content-encoding'], 'gzip');
      assert.equal(gzip.headers['vary'], 'Accept-Encoding');
      assert.deepEqual(gunzipSync(gzip.body), plain.body);
      assert.ok(gzip.body.length < plain.body.length);
      sizes[path] = [plain.body.length, gzip.body.length];
    }
    const total = Object.values(sizes).reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0]);
    // The README's figure (the page's weight) comes from here.
    console.log(`# page size: ${JSON.stringify(sizes)}; total ${total[0]} bytes, ${total[1]} gzip`);
  });

  test('a dropped connection: Reconnect, within the heartbeat time, finds the same on-demand pod', async () => {
    const dropped = await browser.newPage();
    try {
      await dropped.goto(server.base);
      await dropped.waitFor('the page', 'typeof window.sshpodWeb === "object"');
      await openByHostname(dropped, 'template--quick.sshpod');
      await waitLive(dropped, 0);
      const made = await waitUntil('the pod', () => ofTemplate('quick').find(running));
      // The network drops: the kernel aborts the browser's TCP connections to the server (RST).
      const killed = await run('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${server.port}`]);
      assert.equal(killed.code, 0, killed.stderr);
      const overlay = await dropped.waitFor<string>('the dropped message', 'window.sshpodWeb.overlay(0)');
      assert.match(overlay, /the connection to sshpod web dropped/);
      assert.equal(await web.state(dropped, 0), 'down');
      await dropped.click('.overlay .reconnect');
      await waitLive(dropped, 0);
      await typeIn(dropped, 0, 'echo "back in $(hostname)"\n');
      await screenLine(dropped, 0, new RegExp(`^back in ${made.metadata.name}$`));
      assert.equal(ofTemplate('quick').length, 1, 'no second pod');
      await dropped.evaluate(`document.querySelector('#tabs .tab button').click()`);
      await waitUntil('the pod deleted', () => ofTemplate('quick').length === 0 || undefined, 60_000);
    } finally {
      await dropped.close();
    }
  });

  test('--open HOSTNAME opens that terminal; the server gone: the page says the connection dropped, with a Reconnect button', async () => {
    // With --open: the page opens that terminal by itself.
    const second = await startWeb(e, ['--open', 'pod--bb.sshpod']);
    assert.equal(second.url.searchParams.get('open'), 'pod--bb.sshpod');
    const dropped = await browser.newPage();
    try {
      await dropped.goto(second.url.href);
      await dropped.waitFor('the page', 'typeof window.sshpodWeb === "object"');
      await waitLive(dropped, 0);
      await typeIn(dropped, 0, 'echo "opened $(hostname)"\n');
      await screenLine(dropped, 0, /^opened bb$/);
      const podTab = await openByHostname(dropped, 'template--quick.sshpod');
      await waitLive(dropped, podTab);
      await waitUntil('the pod', () => ofTemplate('quick').find(running));
      second.child.kill('SIGKILL'); // the server gone at once: its connections simply end
      await second.exited;
      const overlay = await dropped.waitFor<string>('the dropped message', 'window.sshpodWeb.overlay(0)');
      assert.match(overlay, /the connection to sshpod web dropped/);
      assert.equal(await dropped.evaluate<string>(`document.querySelector('.overlay .reconnect').textContent`), 'Reconnect');
      assert.equal(await web.state(dropped, 0), 'down');
      // Its on-demand pod is not left behind: the guard the server started beside itself deletes it.
      await waitUntil('the pod deleted by its guard', () => ofTemplate('quick').length === 0 || undefined, 60_000);
    } finally {
      await dropped.close();
    }
  });

  test('SIGTERM: the terminals are told, the pods it made deleted, exit 0, nothing left', async () => {
    const i = await openByHostname(page, 'template--quick.sshpod');
    await waitLive(page, i);
    await waitUntil('the pod', () => ofTemplate('quick').find(running));
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr());
    assert.equal(ofTemplate('quick').filter((p) => !p.metadata.deletionTimestamp).length, 0);
    const overlay = await page.waitFor<string>('the shutdown message', `window.sshpodWeb.overlay(${i})`);
    assert.match(overlay, /shutting down/);
    assert.ok(overlay.includes('Reconnect'));
    assert.deepEqual(server.audit().at(-1)?.['action'], 'server-stop');
    // The audit trail: who opened which terminal where, and how it ended — never what was typed.
    const opened = server.audit().filter((a) => a['action'] === 'terminal-open');
    assert.ok(opened.some((a) => a['pod'] === 'deb' && a['container'] === 'main' && a['namespace'] === 'default' && typeof a['user'] === 'string'), JSON.stringify(opened));
    assert.ok(server.audit().some((a) => a['action'] === 'terminal-end' && a['pod'] === 'deb' && Number(a['bytesOut']) > 0));
    assert.ok(!/6\*7|md5sum|pasted-text/.test(server.auditText()), 'no keystroke in the audit trail');
    await waitUntil('no guard process left', () => guards(e.home).length === 0 || undefined);
  });
});

/** The on-demand pods' guard processes of this suite's HOME. */
function guards(home: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`HOME=${home}`)) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('__ondemand-guard')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
