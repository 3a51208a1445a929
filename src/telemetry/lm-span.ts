import type { LanguageModel, LMRequest, LMResponse } from '../lm/types.js';
import { type Attributes, captureContent, contentJSON, inSpan } from './otel.js';

/**
 * A span for one LM call, following the OpenTelemetry GenAI semantic conventions. Message content is attached
 * only with `configure({ telemetry: { captureContent: true } })`; API keys and headers never are.
 */
export function traceLMCall(
  lm: LanguageModel,
  request: LMRequest,
  predictorName: string,
  call: () => Promise<LMResponse>,
): Promise<LMResponse> {
  const { provider, model } = modelParts(lm);
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.system': provider,
    'gen_ai.request.model': model,
    'tsdspy.predictor.name': predictorName,
    ...requestAttributes(request),
  };
  if (captureContent()) {
    const system = request.messages.filter((m) => m.role === 'system');
    if (system.length)
      attributes['gen_ai.system_instructions'] = contentJSON(system.map((m) => ({ type: 'text', content: m.content })));
    attributes['gen_ai.input.messages'] = contentJSON(
      request.messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
    );
  }
  return inSpan(`chat ${model}`, { kind: 'client', attributes }, async (span) => {
    const response = await call();
    if (span) span.setAttributes(responseAttributes(response));
    return response;
  });
}

function modelParts(lm: LanguageModel): { provider: string; model: string } {
  const own = lm as { provider?: unknown; modelName?: unknown };
  const slash = lm.model.indexOf('/');
  const provider =
    typeof own.provider === 'string' && own.provider ? own.provider : slash > 0 ? lm.model.slice(0, slash) : 'unknown';
  const model = typeof own.modelName === 'string' && own.modelName ? own.modelName : lm.model.slice(slash + 1);
  return { provider, model };
}

function requestAttributes(request: LMRequest): Attributes {
  const out: Attributes = {};
  if (request.temperature !== undefined) out['gen_ai.request.temperature'] = request.temperature;
  if (request.maxTokens !== undefined) out['gen_ai.request.max_tokens'] = request.maxTokens;
  if (request.topP !== undefined) out['gen_ai.request.top_p'] = request.topP;
  if (request.seed !== undefined) out['gen_ai.request.seed'] = request.seed;
  if (request.n !== undefined) out['gen_ai.request.choice.count'] = request.n;
  if (request.stop?.length) out['gen_ai.request.stop_sequences'] = request.stop;
  if (request.responseFormat) out['gen_ai.output.type'] = 'json';
  return out;
}

function responseAttributes(response: LMResponse): Attributes {
  const out: Attributes = {};
  if (response.model) out['gen_ai.response.model'] = response.model;
  const reasons = response.completions.map((c) => c.finishReason).filter((r): r is string => typeof r === 'string');
  if (reasons.length) out['gen_ai.response.finish_reasons'] = reasons;
  if (response.usage) {
    out['gen_ai.usage.input_tokens'] = response.usage.inputTokens;
    out['gen_ai.usage.output_tokens'] = response.usage.outputTokens;
  }
  if (response.cached) out['tsdspy.lm.cached'] = true;
  if (response.cost !== undefined) out['tsdspy.lm.cost_usd'] = response.cost;
  if (captureContent()) {
    out['gen_ai.output.messages'] = contentJSON(
      response.completions.map((c) => ({
        role: 'assistant',
        parts: [{ type: 'text', content: c.text }],
        ...(c.finishReason ? { finish_reason: c.finishReason } : {}),
      })),
    );
  }
  return out;
}
