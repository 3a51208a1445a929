import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildReport, type GEPAResult, readRunDir, reportData, runDirToDot, writeReport } from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium, watchPage } from './support/browser.js';
import { makeReportRun } from './support/report-run.js';

let browser: Browser;
let dir: string;
let result: GEPAResult;
let file: string;

beforeAll(async () => {
  ({ dir, result } = await makeReportRun());
  file = writeReport(dir);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

describe('the HTML report', { timeout: 90_000 }, () => {
  it('renders every view from file://, with no console errors and no network requests', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchPage(page, (url) => url === `file://${file}`);
    await page.goto(`file://${file}`);
    await page.waitForSelector('[data-candidate]');
    expect(await page.locator('[data-candidate]').count()).toBe(result.candidates.length);
    expect(await page.locator('[data-chart="score"] circle').count()).toBe(result.candidates.length);
    expect(await page.locator('[data-chart="score"] path.best-line').count()).toBe(1);
    expect(await page.locator('[data-chart="frontier"] canvas').count()).toBe(1);
    const frontierRows = await page.locator('[data-chart="frontier"] [data-row]').count();
    expect(frontierRows).toBe(new Set(result.perValInstanceBestCandidates.flat()).size);
    expect(await page.locator('[data-chart="usage"] path[data-series="reflection"]').count()).toBe(1);
    expect(await page.locator('[data-stat="candidates"] b').textContent()).toBe(String(result.candidates.length));
    expect(await page.locator(`[data-candidate="${result.bestIdx}"]`).getAttribute('class')).toContain('best');
    const merges = result.parents.filter((p) => p.length === 2).length;
    expect(merges).toBeGreaterThan(0);
    expect(await page.locator('[data-chart="lineage"] path.edge.merge').count()).toBe(2 * merges);
    expect(await page.locator('[data-chart="lineage"] .node.merge').count()).toBe(merges);
    await page.screenshot({ path: artifactPath('report.png'), fullPage: true });
    expect(watch.problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    await page.close();
  });

  it('clicking a node shows its texts, a diff against its parent, per-example scores and the reflection', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const watch = watchPage(page, (url) => url === `file://${file}`);
    await page.goto(`file://${file}`);
    const child = result.parents.findIndex(
      (p, i) => p.length === 1 && result.candidates[i]?.alpha !== result.candidates[p[0] as number]?.alpha,
    );
    expect(child).toBeGreaterThan(0);
    await page.click(`[data-candidate="${child}"]`);
    const detail = page.locator('#detail');
    await expect.poll(() => detail.locator('h2').textContent()).toBe(`Candidate #${child}`);
    expect(await detail.locator('pre.text[data-component="alpha"]').textContent()).toBe(result.candidates[child]?.alpha);
    const parent = result.parents[child]?.[0] as number;
    const added = (await detail.locator('pre.diff ins').allTextContents()).join('');
    const removed = (await detail.locator('pre.diff del').allTextContents()).join('');
    expect(added.length + removed.length).toBeGreaterThan(0);
    const newLine = (result.candidates[child]?.alpha ?? '')
      .split('\n')
      .find((l) => !(result.candidates[parent]?.alpha ?? '').includes(l));
    if (newLine) expect(added).toContain(newLine.split(': ')[1]);
    expect(await detail.locator('[data-scores="examples"] i').count()).toBe(result.valIds.length);
    expect(await detail.locator('pre.prompt').count()).toBeGreaterThan(0);
    expect(await detail.locator('pre.prompt').first().textContent()).toContain('FACT');
    // the parent link navigates
    await detail.locator(`button[data-goto="${parent}"]`).first().click();
    await expect.poll(() => detail.locator('h2').textContent()).toBe(`Candidate #${parent}`);
    await page.screenshot({ path: artifactPath('report-detail.png'), fullPage: true });
    expect(watch.problems).toEqual([]);
    expect(watch.requests).toEqual([]);
    await page.close();
  });

  it('shows LM-written text as text, never as markup', async () => {
    const view = readRunDir(dir);
    const hostile = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
    const data = reportData(view);
    (data.candidates[0] as { own: Record<string, string> }).own.alpha = hostile;
    const { renderReportHtml } = await import('../optimizers/gepa/report/html.js');
    const path = join(dir, 'hostile.html');
    writeFileSync(path, renderReportHtml(data));
    const page = await browser.newPage();
    const watch = watchPage(page, (url) => url === `file://${path}`);
    await page.goto(`file://${path}`);
    await page.click('[data-candidate="0"]');
    expect(await page.locator('#detail pre.text[data-component="alpha"]').textContent()).toBe(hostile);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(watch.requests).toEqual([]);
    await page.close();
  });

  it('is one file, small for a small run, and the lineage is also available as DOT', () => {
    expect(statSync(file).size).toBeLessThan(2_000_000);
    const html = buildReport(dir);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\bsrc=["']?https?:/i);
    expect(runDirToDot(dir)).toBe(result.toDot());
  });
});
