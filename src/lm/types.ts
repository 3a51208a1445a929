/** Provider-neutral chat message. */
export interface Message {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Tool calls the assistant made (assistant messages). */
  toolCalls?: ToolCall[];
  /** Which call a tool message answers (tool messages). */
  toolCallId?: string;
}

/** A JSON-Schema described function the LM may call. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments. */
  args: Record<string, unknown>;
}

/** Ask for JSON matching a schema; providers with native structured output enforce it. */
export interface ResponseFormat {
  type: 'json_schema';
  name: string;
  schema: Record<string, unknown>;
  strict?: boolean;
}

/** Sampling options, usable as a predictor's config and as per-call overrides. */
export interface LMCallConfig {
  temperature?: number;
  maxTokens?: number;
  n?: number;
  stop?: string[];
  topP?: number;
  seed?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  /** Distinct rollout ids make otherwise identical requests distinct for caching. */
  rolloutId?: number | string;
  timeoutMs?: number;
}

/** Every LMCallConfig key, in a fixed order (for defaults, cache keys and validation). */
export const LM_CALL_CONFIG_KEYS = [
  'temperature',
  'maxTokens',
  'n',
  'stop',
  'topP',
  'seed',
  'logprobs',
  'topLogprobs',
  'reasoningEffort',
  'rolloutId',
  'timeoutMs',
] as const satisfies readonly (keyof LMCallConfig)[];

export interface LMRequest extends LMCallConfig {
  messages: Message[];
  responseFormat?: ResponseFormat;
  tools?: ToolSpec[];
  signal?: AbortSignal;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top?: Array<{ token: string; logprob: number }>;
}

export interface Completion {
  text: string;
  toolCalls?: ToolCall[];
  logprobs?: TokenLogprob[];
  finishReason?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
}

export interface LMResponse {
  completions: Completion[];
  usage?: Usage;
  model?: string;
  /** True when served from a cache (no tokens spent). */
  cached?: boolean;
  /** Cost of this call in USD when the client knows the model's prices; absent when unknown. */
  cost?: number;
}

/** What a language model can do natively; adapters use it to pick request features. */
export interface LMCapabilities {
  responseFormat?: boolean;
  tools?: boolean;
  logprobs?: boolean;
}

/** The one interface every LM client implements. */
export interface LanguageModel {
  readonly model: string;
  readonly capabilities?: LMCapabilities;
  call(request: LMRequest): Promise<LMResponse>;
}

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(a.cachedTokens !== undefined || b.cachedTokens !== undefined
      ? { cachedTokens: (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0) }
      : {}),
  };
}
