/**
 * A loopback HTTP server that speaks the OpenAI chat-completions and Anthropic messages wire formats, for driving
 * the real SDKs offline. Replies come from a responder function; faults can be queued per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'reset' };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What the responder returns for one completion: text, or tool calls. */
export type Reply = string | { toolCalls: Array<{ name: string; args: Record<string, unknown> }> };
export type Responder = (body: Record<string, unknown>, index: number, format: 'openai' | 'anthropic') => Reply;

/** Default reply: echoes the last user message. */
export const echo: Responder = (body) => {
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const content = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  return `echo: ${content}`;
};

/**
 * A deterministic bag-of-words vector: each lower-cased word adds 1 at a hashed position. Texts that share words
 * are close, so retrieval tests have a known right answer.
 */
export function wordVector(text: string, dimensions = 64): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions] += 1;
  }
  return v;
}

/** OpenAI's /v1/embeddings reply for `wordVector` embeddings; returned out of order to test re-ordering. */
function embeddingsReply(body: Record<string, unknown>) {
  const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
  const dimensions = Number(body.dimensions ?? 64);
  const data = input.map((text, index) => ({ object: 'embedding', index, embedding: wordVector(text, dimensions) })).reverse();
  const tokens = input.reduce((n, t) => n + t.split(/\s+/).length, 0);
  return { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  private hanging: ServerResponse[] = [];
  inFlight = 0;
  maxInFlight = 0;
  responder: Responder = echo;
  /** Delay before every reply, in ms. */
  latencyMs = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('LoopbackServer is not started');
    return address.port;
  }

  get openaiBaseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get anthropicBaseURL(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues faults for the next requests, in order. */
  fail(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.responder = echo;
    this.latencyMs = 0;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const index = this.requests.length;
    this.requests.push({ path: req.url ?? '', headers: req.headers, body });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      const fault = this.faults.shift();
      if (fault?.kind === 'hang') {
        this.hanging.push(res);
        return;
      }
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ this is not json');
        return;
      }
      if (fault?.kind === 'status') {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify(fault.body ?? { error: { message: `injected ${fault.status}`, type: 'injected' } }));
        return;
      }
      if (req.url?.endsWith('/embeddings')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(embeddingsReply(body)));
        return;
      }
      const format = req.url?.endsWith('/messages') ? 'anthropic' : 'openai';
      const payload = format === 'openai' ? this.openaiReply(body, index) : this.anthropicReply(body, index);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    } finally {
      this.inFlight--;
    }
  }

  private openaiReply(body: Record<string, unknown>, index: number) {
    const n = Number(body.n ?? 1);
    const choices = Array.from({ length: n }, (_, i) => {
      const reply = this.responder(body, index * 100 + i, 'openai');
      const message =
        typeof reply === 'string'
          ? { role: 'assistant', content: reply }
          : {
              role: 'assistant',
              content: null,
              tool_calls: reply.toolCalls.map((c, k) => ({
                id: `call_${k}`,
                type: 'function',
                function: { name: c.name, arguments: JSON.stringify(c.args) },
              })),
            };
      const text = typeof reply === 'string' ? reply : '';
      return {
        index: i,
        message,
        finish_reason: typeof reply === 'string' ? 'stop' : 'tool_calls',
        logprobs: body.logprobs
          ? {
              content: text.split(' ').map((token, k) => ({
                token,
                logprob: -0.1 * (k + 1),
                bytes: null,
                top_logprobs: Array.from({ length: Number(body.top_logprobs ?? 0) }, (_, t) => ({
                  token: `${token}${t}`,
                  logprob: -1 - t,
                  bytes: null,
                })),
              })),
            }
          : null,
      };
    });
    const promptTokens = JSON.stringify(body.messages).length;
    return {
      id: `chatcmpl-${index}`,
      object: 'chat.completion',
      created: 0,
      model: body.model,
      choices,
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: 7 * n,
        total_tokens: promptTokens + 7 * n,
        prompt_tokens_details: { cached_tokens: 3 },
      },
    };
  }

  private anthropicReply(body: Record<string, unknown>, index: number) {
    const reply = this.responder(body, index, 'anthropic');
    const content =
      typeof reply === 'string'
        ? [{ type: 'text', text: reply }]
        : reply.toolCalls.map((c, k) => ({ type: 'tool_use', id: `toolu_${k}`, name: c.name, input: c.args }));
    return {
      id: `msg_${index}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: typeof reply === 'string' ? 'end_turn' : 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: JSON.stringify(body.messages).length, output_tokens: 5, cache_read_input_tokens: 2 },
    };
  }
}
