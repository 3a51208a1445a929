import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium, watchPage } from './support/browser.js';
import { makeReportRun } from './support/report-run.js';

let browser: Browser;
let server: ChildProcess | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  server?.kill('SIGTERM');
  await browser?.close();
});

/** Starts `tsdspy report <dir> --serve` as a child process and resolves with the URL it prints. */
function serve(dir: string): Promise<string> {
  server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', dir, '--serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    server?.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    server?.stderr?.on('data', (chunk) => process.stderr.write(chunk));
    server?.on('exit', (code) => reject(new Error(`the report server exited with ${code}: ${out}`)));
  });
}

describe('the live report (tsdspy report --serve)', { timeout: 180_000 }, () => {
  it('serves on 127.0.0.1 and refreshes as the run dir grows', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tsdspy-live-')), 'run');
    const url = await serve(dir);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchPage(page, (u) => u.startsWith(url));
    await page.goto(url);
    const candidates = () => page.locator('[data-stat="candidates"] b').textContent();
    expect(await candidates()).toBe('0'); // nothing written yet: an empty page that waits

    const first = await makeReportRun({ runDir: dir, maxMetricCalls: 80 });
    await expect.poll(candidates, { timeout: 30_000 }).toBe(String(first.result.candidates.length));
    await page.click(`[data-candidate="${first.result.bestIdx}"]`);

    const second = await makeReportRun({ runDir: dir, maxMetricCalls: 220 }); // resumes and grows the same run dir
    expect(second.result.candidates.length).toBeGreaterThan(first.result.candidates.length);
    await expect.poll(candidates, { timeout: 30_000 }).toBe(String(second.result.candidates.length));
    expect(await page.locator('[data-candidate]').count()).toBe(second.result.candidates.length);
    // the selection survives a refresh
    expect(await page.locator('#detail h2').textContent()).toBe(`Candidate #${first.result.bestIdx}`);
    await page.screenshot({ path: artifactPath('report-live.png'), fullPage: true });
    expect(watch.problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    await page.close();
  });
});
