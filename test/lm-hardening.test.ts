import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  captureTrace,
  configure,
  currentSettings,
  LM,
  type LMOptions,
  type LMRequest,
  Predict,
  registerProvider,
  signature,
  withSettings,
} from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackServer } from './support/loopback-server.js';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

let a: LoopbackServer;
let b: LoopbackServer;
beforeAll(async () => {
  a = await new LoopbackServer().start();
  b = await new LoopbackServer().start();
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

/** An in-process provider (no HTTP), for tests about the LM's own bookkeeping with large prompts. */
const sent: string[] = [];
registerProvider('inproc', {
  name: 'In-process test provider',
  capabilities: {},
  free: true,
  createClient: () => ({
    complete: async (_model: string, request: LMRequest) => {
      const text = String(request.messages.at(-1)?.content ?? '');
      sent.push(text.slice(0, 40));
      return { completions: [{ text: `echo: ${text.slice(0, 40)}` }], usage: { inputTokens: 1, outputTokens: 1 } };
    },
  }),
});
const inproc = (options: LMOptions = {}) => new LM('inproc/model', { retryBaseMs: 5, ...options });

const lmAt = (server: LoopbackServer, options: LMOptions = {}) =>
  new LM('openai/gpt-4o-mini', { apiKey: KEY, baseURL: server.openaiBaseURL, retryBaseMs: 5, ...options });

describe('response cache key', () => {
  it('never shares entries between endpoints, keys or headers of the same model', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tsdspy-cache-'));
    a.reset();
    b.reset();
    await lmAt(a, { cacheDir }).call(ask('same prompt'));
    await lmAt(b, { cacheDir }).call(ask('same prompt'));
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    await lmAt(b, { cacheDir, apiKey: 'sk-another-key-0000000000' }).call(ask('same prompt'));
    await lmAt(b, { cacheDir, headers: { 'x-tenant': 'other' } }).call(ask('same prompt'));
    expect(b.requests).toHaveLength(3);
    // The same endpoint, key and headers do share (across LM objects, through the disk cache).
    await lmAt(a, { cacheDir }).call(ask('same prompt'));
    expect(a.requests).toHaveLength(1);
    const files = readdirSync(cacheDir, { recursive: true }).map(String);
    const everything = files
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(join(cacheDir, f), 'utf8'))
      .join('');
    expect(everything).not.toContain(KEY);
    expect(files.join('')).not.toContain(KEY);
  });
});

describe('keys never reach the console', () => {
  it('util.inspect of an LM, a predictor holding it, settings and a trace shows no key', async () => {
    const lm = lmAt(a, { cache: false, headers: { authorization: 'Bearer hdr-SECRET-xyz' } });
    await lm.call(ask('warm the client'));
    const predict = new Predict(signature('question -> answer'), { lm });
    a.reset();
    const { trace } = await captureTrace(() =>
      withSettings({ lm }, () => predict.call({ question: 'q' }).catch(() => undefined)),
    );
    const shown = [
      inspect(lm, { depth: 10, showHidden: true }),
      inspect(predict, { depth: 10, showHidden: true }),
      inspect(trace, { depth: 10 }),
      withSettings({ lm }, () => inspect(currentSettings(), { depth: 10, showHidden: true })),
      inspect({ ...lm }, { depth: 10 }),
      JSON.stringify(Object.entries(lm)),
    ].join('\n');
    expect(shown).not.toContain('SECRET');
    expect(inspect(lm)).toContain('openai/gpt-4o-mini');
    expect(inspect(lm)).toContain('[redacted]');
    configure({ lm });
    try {
      expect(inspect(currentSettings(), { depth: 10 })).not.toContain('SECRET');
    } finally {
      configure({ lm: undefined });
    }
  });
});

describe('memory bounds in bytes', () => {
  it('150 distinct 2 MB prompts do not stay in memory: history and cache are bounded by size', async () => {
    const lm = inproc({ cacheDir: null });
    const base = 'x'.repeat(2 * 1024 * 1024);
    sent.length = 0;
    for (let i = 0; i < 150; i++) await lm.call(ask(`${i} ${base}`));
    const historyChars = lm.history.reduce((n, e) => n + e.messages.reduce((m, msg) => m + msg.content.length, 0), 0);
    expect(historyChars * 2).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(lm.history.length).toBeGreaterThan(0);
    expect(lm.history.length).toBeLessThan(10);
    // Keys are hashes: the cache does not keep the prompt as its key (re-asking the last prompt is a hit).
    await lm.call(ask(`149 ${base}`));
    expect(sent).toHaveLength(150);
    expect(lm.history.at(-1)?.cached).toBe(true);
  }, 60_000);

  it('the response cache evicts by bytes', async () => {
    const lm = inproc({ cacheDir: null, cacheMaxBytes: 2000 });
    sent.length = 0;
    for (let i = 0; i < 40; i++) await lm.call(ask(`prompt ${i}`));
    await lm.call(ask('prompt 39'));
    expect(sent).toHaveLength(40); // the newest entry is still cached
    await lm.call(ask('prompt 0'));
    expect(sent).toHaveLength(41); // the oldest was evicted
  });
});

describe('the disk cache is never fatal', () => {
  it('a corrupt entry is ignored and rewritten', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tsdspy-cache-'));
    await lmAt(a, { cacheDir }).call(ask('corrupt me'));
    const [entry] = readdirSync(cacheDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'));
    const path = join(cacheDir, entry as string);
    for (const garbage of ['{"completions": [{"te', '', '\u0000\u0001binary', '{"completions": 5}']) {
      writeFileSync(path, garbage);
      a.reset();
      const response = await lmAt(a, { cacheDir }).call(ask('corrupt me'));
      expect(response.completions[0]?.text).toBe('echo: corrupt me');
      expect(a.requests).toHaveLength(1);
      expect(JSON.parse(readFileSync(path, 'utf8')).completions[0].text).toBe('echo: corrupt me');
    }
  });

  it('an entry that cannot be read or written does not fail the call', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tsdspy-cache-'));
    const lm = lmAt(a, { cacheDir });
    await lm.call(ask('blocked'));
    const [entry] = readdirSync(cacheDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'));
    const path = join(cacheDir, entry as string);
    const { rmSync } = await import('node:fs');
    rmSync(path);
    mkdirSync(path); // a directory where the entry should be: reading and renaming onto it both fail
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      a.reset();
      const response = await lmAt(a, { cacheDir }).call(ask('blocked'));
      expect(response.completions[0]?.text).toBe('echo: blocked');
      expect(a.requests).toHaveLength(1);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toMatch(/tsdspy warn: The LM disk cache/);
  });
});
