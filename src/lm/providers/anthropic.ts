import Anthropic from '@anthropic-ai/sdk';
import { httpFetch } from '../http-fetch.js';
import type { Completion, LMRequest, LMResponse, Message } from '../types.js';
import { addUsage } from '../types.js';
import type { Provider, ProviderCallContext, ProviderClient, ProviderConfig } from './provider.js';

const DEFAULT_MAX_TOKENS = 4096;
const THINKING_BUDGET = { minimal: 0, low: 1024, medium: 4096, high: 16_000 } as const;

function toAnthropicMessages(messages: readonly Message[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      out.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content }] });
    } else if (m.role === 'assistant' && m.toolCalls?.length) {
      out.push({
        role: 'assistant',
        content: [
          ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
          ...m.toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.args })),
        ],
      });
    } else {
      out.push({ role: m.role as 'user' | 'assistant', content: m.content });
    }
  }
  return out;
}

export function anthropicRequestBody(model: string, request: LMRequest): Anthropic.MessageCreateParamsNonStreaming {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const budget = request.reasoningEffort ? THINKING_BUDGET[request.reasoningEffort] : 0;
  const maxTokens = Math.max(request.maxTokens ?? DEFAULT_MAX_TOKENS, budget + 1024);
  // Structured output through tool use: the model must call one tool whose input schema is the response format.
  const formatTool = request.responseFormat
    ? {
        name: request.responseFormat.name,
        description: 'Respond by calling this tool with the answer.',
        input_schema: request.responseFormat.schema,
      }
    : undefined;
  const tools = [
    ...(request.tools ?? []).map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
    ...(formatTool ? [formatTool] : []),
  ];
  return {
    model,
    max_tokens: maxTokens,
    messages: toAnthropicMessages(request.messages),
    ...(system ? { system } : {}),
    ...(request.temperature !== undefined && !budget ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined && !budget ? { top_p: request.topP } : {}),
    ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
    ...(budget ? { thinking: { type: 'enabled', budget_tokens: budget } } : {}),
    ...(tools.length ? { tools } : {}),
    ...(formatTool ? { tool_choice: { type: 'tool', name: formatTool.name } } : {}),
  } as Anthropic.MessageCreateParamsNonStreaming;
}

export function fromAnthropicMessage(
  message: Anthropic.Message,
  formatName?: string,
): { completion: Completion; response: LMResponse } {
  let text = '';
  const toolCalls: NonNullable<Completion['toolCalls']> = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      if (formatName && block.name === formatName) text = JSON.stringify(block.input);
      else toolCalls.push({ id: block.id, name: block.name, args: (block.input ?? {}) as Record<string, unknown> });
    }
  }
  const completion: Completion = {
    text,
    ...(toolCalls.length ? { toolCalls } : {}),
    ...(message.stop_reason ? { finishReason: message.stop_reason } : {}),
  };
  const usage = message.usage;
  return {
    completion,
    response: {
      completions: [completion],
      model: message.model,
      usage: {
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        ...(usage.cache_read_input_tokens != null ? { cachedTokens: usage.cache_read_input_tokens } : {}),
      },
    },
  };
}

function anthropicClient(config: ProviderConfig): ProviderClient {
  const client = new Anthropic({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    ...(config.headers ? { defaultHeaders: config.headers } : {}),
    maxRetries: 0,
    fetch: httpFetch,
  });
  return {
    async complete(model: string, request: LMRequest, context: ProviderCallContext): Promise<LMResponse> {
      const body = anthropicRequestBody(model, request);
      const options = {
        ...(context.signal ? { signal: context.signal } : {}),
        ...(context.timeoutMs ? { timeout: context.timeoutMs } : {}),
      };
      // Anthropic has no `n`: n requests run in parallel and their completions are merged.
      const n = Math.max(1, request.n ?? 1);
      const messages = await Promise.all(Array.from({ length: n }, () => client.messages.create(body, options)));
      const parts = messages.map((m) => fromAnthropicMessage(m, request.responseFormat?.name));
      return {
        completions: parts.map((p) => p.completion),
        model: parts[0]?.response.model ?? model,
        ...(() => {
          const usage = parts.reduce<LMResponse['usage']>((sum, p) => addUsage(sum, p.response.usage), undefined);
          return usage ? { usage } : {};
        })(),
      };
    },
  };
}

export const anthropicProvider: Provider = {
  name: 'anthropic',
  apiKeyEnv: 'ANTHROPIC_API_KEY',
  baseURLEnv: 'ANTHROPIC_BASE_URL',
  capabilities: { responseFormat: true, tools: true, logprobs: false },
  createClient: anthropicClient,
};
