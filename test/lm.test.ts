import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticationError,
  ChainOfThought,
  ContextWindowExceededError,
  chatReply,
  JSONAdapter,
  LM,
  type LMOptions,
  LMTimeoutError,
  MissingApiKeyError,
  Predict,
  ProviderError,
  RateLimitError,
  ReAct,
  tool,
  UnknownProviderError,
  withSettings,
  z,
} from 'tsdspy';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoopbackServer } from './support/loopback-server.js';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user' as const, content }],
  ...extra,
});

let server: LoopbackServer;
beforeAll(async () => {
  server = await new LoopbackServer().start();
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

const openai = (options: LMOptions = {}) =>
  new LM('openai/gpt-4.1-mini', { apiKey: KEY, baseURL: server.openaiBaseURL, cache: false, retryBaseMs: 5, ...options });
const anthropic = (options: LMOptions = {}) =>
  new LM('anthropic/claude-sonnet-4-6', {
    apiKey: KEY,
    baseURL: server.anthropicBaseURL,
    cache: false,
    retryBaseMs: 5,
    ...options,
  });

describe('OpenAI wire format', () => {
  it('sends the request through the SDK and normalises the reply, usage and cost', async () => {
    const lm = openai({ temperature: 0.2 });
    const response = await lm.call({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      maxTokens: 50,
      stop: ['\n\n'],
      topP: 0.9,
      seed: 7,
    });
    expect(response.completions[0]?.text).toBe('echo: hi');
    const sent = server.requests[0];
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toMatchObject({
      model: 'gpt-4.1-mini',
      temperature: 0.2,
      max_tokens: 50,
      stop: ['\n\n'],
      top_p: 0.9,
      seed: 7,
    });
    expect(response.usage).toMatchObject({ outputTokens: 7, cachedTokens: 3 });
    expect(response.cost).toBeGreaterThan(0);
    expect(lm.usage.outputTokens).toBe(7);
    expect(lm.cost).toBeCloseTo(response.cost as number);
  });

  it('supports n, logprobs, tool calls and json_schema response formats', async () => {
    const lm = openai();
    const many = await lm.call(ask('x', { n: 3, logprobs: true, topLogprobs: 2 }));
    expect(many.completions).toHaveLength(3);
    expect(many.completions[0]?.logprobs?.[0]).toMatchObject({
      token: 'echo:',
      logprob: -0.1,
      top: [{ token: 'echo:0' }, { token: 'echo:1' }],
    });
    expect(server.requests[0]?.body).toMatchObject({ n: 3, logprobs: true, top_logprobs: 2 });

    server.responder = () => ({ toolCalls: [{ name: 'search', args: { q: 'tsdspy' } }] });
    const tools = await lm.call(
      ask('find', {
        tools: [
          { name: 'search', description: 'Search.', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        ],
      }),
    );
    expect(tools.completions[0]?.toolCalls).toEqual([{ id: 'call_0', name: 'search', args: { q: 'tsdspy' } }]);
    expect(server.requests[1]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'search',
          description: 'Search.',
          parameters: { type: 'object', properties: { q: { type: 'string' } } },
        },
      },
    ]);

    server.responder = () => '{"answer": 4}';
    await lm.call(ask('2+2', { responseFormat: { type: 'json_schema', name: 'outputs', schema: { type: 'object' } } }));
    expect(server.requests[2]?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'outputs', schema: { type: 'object' }, strict: false },
    });
  });

  it('uses max_completion_tokens and reasoning_effort for reasoning models', async () => {
    await new LM('openai/gpt-5', { apiKey: KEY, baseURL: server.openaiBaseURL, cache: false }).call(
      ask('x', { maxTokens: 99, reasoningEffort: 'low' }),
    );
    expect(server.requests[0]?.body).toMatchObject({ max_completion_tokens: 99, reasoning_effort: 'low' });
    expect(server.requests[0]?.body.max_tokens).toBeUndefined();
  });
});

describe('Anthropic wire format', () => {
  it('sends system separately, merges n parallel requests, and reads tool_use', async () => {
    const lm = anthropic();
    const response = await lm.call({
      messages: [
        { role: 'system', content: 'Sys' },
        { role: 'user', content: 'hello' },
      ],
      n: 2,
      temperature: 0.5,
    });
    expect(response.completions.map((c) => c.text)).toEqual(['echo: hello', 'echo: hello']);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.path).toBe('/v1/messages');
    const headers = server.requests[0]?.headers ?? {};
    expect(headers['x-api-key'] ?? headers.authorization).toMatch(new RegExp(`^(Bearer )?${KEY}$`));
    expect(server.requests[0]?.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      system: 'Sys',
      max_tokens: 4096,
      temperature: 0.5,
    });
    expect(response.usage).toEqual({
      inputTokens: 2 * JSON.stringify([{ role: 'user', content: 'hello' }]).length,
      outputTokens: 10,
      cachedTokens: 4,
    });

    server.responder = () => ({ toolCalls: [{ name: 'weather', args: { city: 'Oslo' } }] });
    const tool = await lm.call(
      ask('weather?', { tools: [{ name: 'weather', description: 'Weather.', parameters: { type: 'object' } }] }),
    );
    expect(tool.completions[0]?.toolCalls).toEqual([{ id: 'toolu_0', name: 'weather', args: { city: 'Oslo' } }]);
    expect(server.requests[2]?.body.tools).toEqual([
      { name: 'weather', description: 'Weather.', input_schema: { type: 'object' } },
    ]);
  });

  it('implements structured output as a forced tool call', async () => {
    server.responder = () => ({ toolCalls: [{ name: 'outputs', args: { answer: 4 } }] });
    const response = await anthropic().call(
      ask('2+2', { responseFormat: { type: 'json_schema', name: 'outputs', schema: { type: 'object' } } }),
    );
    expect(response.completions[0]?.text).toBe('{"answer":4}');
    expect(server.requests[0]?.body.tool_choice).toEqual({ type: 'tool', name: 'outputs' });
  });
});

describe('retries and named errors', () => {
  it('retries 429 honouring retry-after-ms, then succeeds', async () => {
    server.fail({ kind: 'status', status: 429, headers: { 'retry-after-ms': '120' } });
    const started = performance.now();
    const response = await openai().call(ask('x'));
    expect(response.completions[0]?.text).toBe('echo: x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['500', { kind: 'status', status: 500 } as const],
    ['503', { kind: 'status', status: 503 } as const],
    ['408', { kind: 'status', status: 408 } as const],
    ['409', { kind: 'status', status: 409 } as const],
    ['connection reset', { kind: 'reset' } as const],
  ])('retries after %s', async (_name, fault) => {
    server.fail(fault, fault);
    expect((await openai().call(ask('x'))).completions[0]?.text).toBe('echo: x');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a malformed body and reports a ProviderError when it persists', async () => {
    server.fail({ kind: 'malformed' }, { kind: 'malformed' });
    await expect(openai({ numRetries: 1 }).call(ask('x'))).rejects.toBeInstanceOf(ProviderError);
    expect(server.requests).toHaveLength(2);
  });

  it('raises RateLimitError once retries are exhausted', async () => {
    server.fail(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }) as const));
    const error = await openai({ numRetries: 2 })
      .call(ask('x'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [401, AuthenticationError, 'bad key'],
    [403, AuthenticationError, 'forbidden'],
    [404, ProviderError, 'no such model'],
    [400, ContextWindowExceededError, "This model's maximum context length is 8192 tokens"],
    [400, ProviderError, 'invalid parameter'],
  ] as const)('HTTP %i surfaces immediately as %s, keeping the provider message', async (status, ErrorClass, message) => {
    server.fail({ kind: 'status', status, body: { error: { message, type: 'x' } } });
    const error = await openai()
      .call(ask('x'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as ProviderError).message).toContain(message);
    expect((error as ProviderError).status).toBe(status);
    expect(server.requests).toHaveLength(1);
  });

  it('maps Anthropic errors the same way', async () => {
    server.fail({
      kind: 'status',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 300000 tokens' } },
    });
    await expect(anthropic().call(ask('x'))).rejects.toBeInstanceOf(ContextWindowExceededError);
    server.fail({
      kind: 'status',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    expect((await anthropic().call(ask('y'))).completions[0]?.text).toBe('echo: y');
  });

  it('times out hanging requests and retries them', async () => {
    server.fail({ kind: 'hang' });
    const started = performance.now();
    expect((await openai({ timeoutMs: 200 }).call(ask('x'))).completions[0]?.text).toBe('echo: x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    server.fail({ kind: 'hang' }, { kind: 'hang' });
    await expect(openai({ timeoutMs: 100, numRetries: 1 }).call(ask('x'))).rejects.toBeInstanceOf(LMTimeoutError);
  });

  it('aborts on an AbortSignal without retrying', async () => {
    server.fail({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 50);
    await expect(openai().call(ask('x', { signal: controller.signal }))).rejects.toThrow('user cancelled');
    expect(server.requests).toHaveLength(1);
  });
});

describe('configuration', () => {
  it('raises MissingApiKeyError at the first call, naming the variable', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const lm = new LM('openai/gpt-4.1-mini', { cache: false }); // constructing is fine
      await expect(lm.call(ask('x'))).rejects.toThrow(MissingApiKeyError);
      await expect(lm.call(ask('x'))).rejects.toThrow(/OPENAI_API_KEY/);
      await expect(new LM('anthropic/claude-haiku-4-5', { cache: false }).call(ask('x'))).rejects.toThrow(/ANTHROPIC_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('reads keys and base URLs from the environment like the SDKs', async () => {
    const saved = { ...process.env };
    process.env.OPENAI_API_KEY = 'sk-env-key-abcdefgh';
    process.env.OPENAI_BASE_URL = server.openaiBaseURL;
    try {
      await new LM('openai/gpt-4o', { cache: false }).call(ask('env'));
      expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-env-key-abcdefgh');
    } finally {
      process.env = saved;
    }
  });

  it('talks to keyless local OpenAI-compatible servers (Ollama, vLLM) and sends custom headers', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const local = new LM('openai/my-vllm-model', {
        baseURL: server.openaiBaseURL,
        cache: false,
        headers: { 'x-team': 'core' },
      });
      await local.call(ask('hi'));
      expect(server.requests[0]?.headers['x-team']).toBe('core');
      const ollama = new LM('ollama/llama3.1', { baseURL: server.openaiBaseURL, cache: false });
      const response = await ollama.call(ask('hi'));
      expect(server.requests[1]?.body.model).toBe('llama3.1');
      expect(response.cost).toBe(0);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('refuses unknown providers and reports unknown prices as unknown cost', async () => {
    expect(() => new LM('mystery/model')).toThrow(UnknownProviderError);
    const lm = new LM('openai/some-future-model', { apiKey: KEY, baseURL: server.openaiBaseURL, cache: false });
    await lm.call(ask('x'));
    expect(lm.cost).toBeUndefined();
    expect(lm.usage.outputTokens).toBe(7);
  });
});

describe('cache', () => {
  it('hits on identical requests, costs no tokens, and marks the hit in history', async () => {
    const lm = openai({ cache: true, cacheDir: null });
    await lm.call(ask('same'));
    const second = await lm.call(ask('same'));
    expect(second.cached).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(lm.usage.outputTokens).toBe(7);
    expect(lm.history.map((h) => h.cached)).toEqual([false, true]);
    await lm.call(ask('same', { temperature: 0.7 }));
    expect(server.requests).toHaveLength(2); // any sampling option is part of the key
  });

  it('bypasses the cache for distinct rollout ids', async () => {
    const lm = openai({ cache: true, cacheDir: null });
    await Promise.all([0, 1, 2].map((rolloutId) => lm.call(ask('sample', { rolloutId, temperature: 1 }))));
    await lm.call(ask('sample', { rolloutId: 1, temperature: 1 }));
    expect(server.requests).toHaveLength(3);
  });

  it('coalesces identical concurrent requests into one provider call', async () => {
    server.latencyMs = 50;
    const lm = openai({ cache: true, cacheDir: null });
    const responses = await Promise.all(Array.from({ length: 10 }, () => lm.call(ask('burst'))));
    expect(server.requests).toHaveLength(1);
    expect(new Set(responses.map((r) => r.completions[0]?.text))).toEqual(new Set(['echo: burst']));
    expect(lm.history.filter((h) => !h.cached)).toHaveLength(1);
  });

  it('shares a disk cache between processes, with atomic writes', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'lm-cache-'));
    await openai({ cache: true, cacheDir }).call(ask('disk'));
    expect(server.requests).toHaveLength(1);
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
        import { LM } from 'tsdspy';
        const lm = new LM('openai/gpt-4.1-mini', { apiKey: ${JSON.stringify(KEY)}, baseURL: ${JSON.stringify(server.openaiBaseURL)}, cacheDir: ${JSON.stringify(cacheDir)} });
        const r = await lm.call({ messages: [{ role: 'user', content: 'disk' }] });
        console.log(JSON.stringify({ cached: r.cached, text: r.completions[0].text }));
      `,
      ],
      // Same endpoint and key, so the entry is shared; a timeout keeps a cache miss from deadlocking on the server.
      { encoding: 'utf8', cwd: process.cwd(), timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ cached: true, text: 'echo: disk' });
    expect(server.requests).toHaveLength(1);
    const files = readdirSync(cacheDir, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });
});

describe('concurrency limit', () => {
  it('never has more than maxConcurrency requests in flight, across callers', async () => {
    server.latencyMs = 20;
    const lm = openai({ maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => lm.call(ask(`q${i}`))));
    expect(server.requests).toHaveLength(20);
    expect(server.maxInFlight).toBe(3);
  });
});

describe('secrets', () => {
  it('never writes the API key to history, errors, logs, cache files or saved programs', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'lm-secret-'));
    const lm = openai({ cache: true, cacheDir, numRetries: 0 });
    server.responder = () => chatReply({ answer: 'ok' });
    const program = new Predict('question -> answer', { lm });
    await program.call({ question: 'q' });
    server.fail({ kind: 'status', status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } });
    const error = await lm.call(ask('fail')).catch((e: unknown) => e as Error);
    const logs: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logs.push(args.join(' '));
    try {
      lm.inspectHistory(5);
    } finally {
      console.log = log;
    }
    const files = readdirSync(cacheDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json'));
    const everything = [
      (error as Error).message,
      String((error as Error).cause),
      JSON.stringify(lm.history),
      logs.join('\n'),
      JSON.stringify(lm),
      ...files.map((f) => readFileSync(join(cacheDir, f), 'utf8')),
      JSON.stringify(program.dumpState()),
    ].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(KEY);
  });
});

describe('history', () => {
  it('is bounded and pretty-prints the last calls', async () => {
    const lm = openai({ historySize: 3 });
    for (let i = 0; i < 5; i++) await lm.call(ask(`m${i}`));
    expect(lm.history.map((h) => h.messages[0]?.content)).toEqual(['m2', 'm3', 'm4']);
    const log = console.log;
    console.log = () => {};
    try {
      const text = lm.inspectHistory(2);
      expect(text).toContain('USER:\nm3');
      expect(text).toContain('RESPONSE:\necho: m4');
      expect(text).not.toContain('m2');
    } finally {
      console.log = log;
    }
  });
});

describe('modules end to end over the wire', () => {
  it('ReAct with native tool calling through the OpenAI SDK', async () => {
    server.responder = (body) => {
      if (body.tools) {
        const user = JSON.stringify(body.messages);
        return user.includes('[step 1]')
          ? { toolCalls: [{ name: 'finish', args: {} }] }
          : { toolCalls: [{ name: 'lookup', args: { key: 'k1' } }] };
      }
      return chatReply({ reasoning: 'from the tool', answer: 'v1' });
    };
    const lookup = tool({
      name: 'lookup',
      description: 'Looks a key up.',
      parameters: z.object({ key: z.string() }),
      execute: ({ key }) => `value of ${key} is v1`,
    });
    const agent = new ReAct('question -> answer', { tools: [lookup], nativeToolCalling: true, predict: { lm: openai() } });
    const result = await agent.call({ question: 'What is k1?' });
    expect(result.answer).toBe('v1');
    expect(result.trajectory.map((s) => s.toolName)).toEqual(['lookup', 'finish']);
    expect(server.requests[0]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'lookup',
          description: 'Looks a key up.',
          parameters: expect.objectContaining({ properties: { key: { type: 'string' } } }),
        },
      },
      { type: 'function', function: expect.objectContaining({ name: 'finish' }) },
    ]);
  });

  it('Predict and ChainOfThought with ChatAdapter (OpenAI) and JSONAdapter (Anthropic)', async () => {
    server.responder = (body, _i, format) => {
      const system =
        format === 'openai' ? String((body.messages as Array<{ content: string }>)[0]?.content) : String(body.system);
      if (format === 'anthropic') return { toolCalls: [{ name: 'outputs', args: { reasoning: 'two and two', answer: 4 } }] };
      return system.includes('`reasoning`') ? chatReply({ reasoning: 'two and two', answer: 4 }) : chatReply({ answer: 4 });
    };
    const predict = new Predict('question -> answer: int', { lm: openai() });
    expect((await predict.call({ question: '2+2?' })).answer).toBe(4);
    const cot = new ChainOfThought('question -> answer: int');
    const viaAnthropic = await withSettings({ lm: anthropic(), adapter: new JSONAdapter() }, () =>
      cot.call({ question: '2+2?' }),
    );
    expect(viaAnthropic).toMatchObject({ reasoning: 'two and two', answer: 4 });
    expect(server.requests[1]?.body.tool_choice).toEqual({ type: 'tool', name: 'outputs' });
    const viaOpenAI = await withSettings({ lm: openai() }, () => cot.call({ question: '2+2?' }));
    expect(viaOpenAI.answer).toBe(4);
  });
});
