import OpenAI from 'openai';
import { httpFetch } from '../http-fetch.js';
import { parseJsonLenient } from '../lenient-json.js';
import type { Completion, LMRequest, LMResponse, Message, TokenLogprob, ToolCall } from '../types.js';
import type { Provider, ProviderCallContext, ProviderClient, ProviderConfig } from './provider.js';

/** Models that take `max_completion_tokens` and `reasoning_effort` (and refuse `max_tokens`). */
const REASONING_MODEL = /^(o\d|gpt-5)/;

function toOpenAIMessage(m: Message): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
  if (m.role === 'assistant' && m.toolCalls?.length) {
    return {
      role: 'assistant',
      content: m.content || null,
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: JSON.stringify(c.args) },
      })),
    };
  }
  return { role: m.role, content: m.content } as OpenAI.Chat.Completions.ChatCompletionMessageParam;
}

export function openAIRequestBody(
  model: string,
  request: LMRequest,
): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
  const reasoning = REASONING_MODEL.test(model);
  return {
    model,
    messages: request.messages.map(toOpenAIMessage),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.maxTokens !== undefined
      ? reasoning
        ? { max_completion_tokens: request.maxTokens }
        : { max_tokens: request.maxTokens }
      : {}),
    ...(request.n !== undefined && request.n !== 1 ? { n: request.n } : {}),
    ...(request.stop?.length ? { stop: request.stop } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.logprobs ? { logprobs: true, ...(request.topLogprobs ? { top_logprobs: request.topLogprobs } : {}) } : {}),
    ...(request.reasoningEffort ? { reasoning_effort: request.reasoningEffort } : {}),
    ...(request.responseFormat
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: request.responseFormat.name,
              schema: request.responseFormat.schema,
              strict: request.responseFormat.strict ?? false,
            },
          },
        }
      : {}),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description, parameters: t.parameters },
          })),
        }
      : {}),
  } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
}

export function fromOpenAIResponse(response: OpenAI.Chat.Completions.ChatCompletion): LMResponse {
  const completions: Completion[] = response.choices.map((choice) => {
    const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((call) =>
      call.type === 'function' ? [{ id: call.id, name: call.function.name, args: parseArgs(call.function.arguments) }] : [],
    );
    const logprobs: TokenLogprob[] | undefined = choice.logprobs?.content?.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      top: t.top_logprobs.map((alt) => ({ token: alt.token, logprob: alt.logprob })),
    }));
    return {
      text: choice.message.content ?? '',
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(logprobs ? { logprobs } : {}),
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    };
  });
  const usage = response.usage;
  return {
    completions,
    model: response.model,
    ...(usage
      ? {
          usage: {
            inputTokens: usage.prompt_tokens,
            outputTokens: usage.completion_tokens,
            ...(usage.prompt_tokens_details?.cached_tokens !== undefined
              ? { cachedTokens: usage.prompt_tokens_details.cached_tokens }
              : {}),
          },
        }
      : {}),
  };
}

/** Tool-call arguments, repaired leniently (trailing commas, single quotes…) as DSPy does; `{ _raw }` when unreadable. */
function parseArgs(text: string): Record<string, unknown> {
  if (!text?.trim()) return {};
  const value = parseJsonLenient(text, { scalars: true });
  if (value === undefined) return { _raw: text };
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}

function openAIClient(config: ProviderConfig): ProviderClient {
  const client = new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    ...(config.headers ? { defaultHeaders: config.headers } : {}),
    maxRetries: 0, // the LM retries, with its own backoff and error mapping
    fetch: httpFetch,
  });
  return {
    async complete(model: string, request: LMRequest, context: ProviderCallContext) {
      const response = await client.chat.completions.create(openAIRequestBody(model, request), {
        ...(context.signal ? { signal: context.signal } : {}),
        ...(context.timeoutMs ? { timeout: context.timeoutMs } : {}),
      });
      return fromOpenAIResponse(response);
    },
  };
}

export const openAIProvider: Provider = {
  name: 'openai',
  apiKeyEnv: 'OPENAI_API_KEY',
  baseURLEnv: 'OPENAI_BASE_URL',
  capabilities: { responseFormat: true, tools: true, logprobs: true },
  createClient: openAIClient,
};

/** Ollama's OpenAI-compatible endpoint; no key needed. vLLM and llama.cpp servers work as `openai/<model>` with a baseURL. */
export const ollamaProvider: Provider = {
  name: 'ollama',
  baseURLEnv: 'OLLAMA_BASE_URL',
  defaultBaseURL: 'http://localhost:11434/v1',
  capabilities: { responseFormat: true, tools: true, logprobs: false },
  free: true,
  createClient: openAIClient,
};
