import { ScriptedLMError } from '../errors/index.js';
import type { Completion, LanguageModel, LMCapabilities, LMRequest, LMResponse, Usage } from './types.js';

/** One scripted answer: a text, several texts (for `n > 1`), full completions, or a whole response. */
export type ScriptedReply = string | string[] | Completion | Completion[] | LMResponse;

export type ReplyFunction = (request: LMRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

/** Matches a request: a substring or RegExp tested on the whole prompt text, or a predicate. */
export type RequestMatcher = string | RegExp | ((request: LMRequest) => boolean);

export type Script = readonly ScriptedReply[] | ReplyFunction | ReadonlyMap<RequestMatcher, ScriptedReply | ReplyFunction>;

export interface ScriptedLMOptions {
  model?: string;
  capabilities?: LMCapabilities;
  /** For a list script: start again from the first reply when the list runs out, instead of throwing. */
  cycle?: boolean;
  /** Usage reported for every call; by default a rough count of characters / 4. */
  usage?: Usage | false;
}

/**
 * A deterministic language model for tests and offline examples.
 * Replies come from a list (in order), a function of the request, or a `Map` from matcher to reply
 * (first match in insertion order wins). Every request is recorded in `requests`.
 */
export class ScriptedLM implements LanguageModel {
  readonly model: string;
  readonly capabilities: LMCapabilities;
  readonly requests: LMRequest[] = [];
  private readonly script: Script;
  private readonly options: ScriptedLMOptions;

  constructor(script: Script, options: ScriptedLMOptions = {}) {
    this.script = script;
    this.options = options;
    this.model = options.model ?? 'scripted/lm';
    this.capabilities = options.capabilities ?? {};
  }

  get callCount(): number {
    return this.requests.length;
  }

  /** The full prompt text of a request, as matchers see it. */
  static promptText(request: LMRequest): string {
    return request.messages.map((m) => m.content).join('\n');
  }

  async call(request: LMRequest): Promise<LMResponse> {
    const index = this.requests.length;
    this.requests.push(request);
    request.signal?.throwIfAborted();
    const reply = await this.replyFor(request, index);
    const response = toResponse(reply);
    if (!response.usage && this.options.usage !== false) {
      response.usage = this.options.usage ?? estimateUsage(request, response);
    }
    return { model: this.model, ...response };
  }

  private async replyFor(request: LMRequest, index: number): Promise<ScriptedReply> {
    const script = this.script;
    if (typeof script === 'function') return script(request, index);
    if (script instanceof Map) {
      const text = ScriptedLM.promptText(request);
      for (const [matcher, reply] of script) {
        if (matches(matcher, request, text)) return typeof reply === 'function' ? reply(request, index) : reply;
      }
      throw new ScriptedLMError(
        `ScriptedLM: no matcher fits the request. Last message:\n${request.messages.at(-1)?.content ?? ''}`,
      );
    }
    const list = script as readonly ScriptedReply[];
    if (index >= list.length && !(this.options.cycle && list.length > 0)) {
      throw new ScriptedLMError(
        `ScriptedLM ran out of replies: call #${index + 1} but only ${list.length} scripted. Add replies or pass { cycle: true }.`,
      );
    }
    return list[index % list.length] as ScriptedReply;
  }
}

function matches(matcher: RequestMatcher, request: LMRequest, text: string): boolean {
  if (typeof matcher === 'string') return text.includes(matcher);
  if (matcher instanceof RegExp) return matcher.test(text);
  return matcher(request);
}

function toResponse(reply: ScriptedReply): LMResponse {
  if (typeof reply === 'string') return { completions: [{ text: reply }] };
  if (Array.isArray(reply)) {
    return { completions: reply.map((r: string | Completion) => (typeof r === 'string' ? { text: r } : r)) };
  }
  if ('completions' in reply) return { ...reply, completions: [...reply.completions] };
  return { completions: [reply] };
}

function estimateUsage(request: LMRequest, response: LMResponse): Usage {
  const chars = (s: string) => Math.ceil(s.length / 4);
  return {
    inputTokens: request.messages.reduce((sum, m) => sum + chars(m.content), 0),
    outputTokens: response.completions.reduce((sum, c) => sum + chars(c.text), 0),
  };
}
