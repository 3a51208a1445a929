import pLimit from 'p-limit';
import { callWithCallbacks } from '../../../src/adapters/adapter.js';
import { TsdspyError } from '../../../src/errors/index.js';
import { resolveLM } from '../../../src/lm/registry.js';
import type { Completion, LanguageModel, TokenLogprob } from '../../../src/lm/types.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';

export interface ConfidenceDataInst {
  input: string;
  label: string;
}

/** How a prediction is scored from correctness and the model's confidence in its label. */
export type ConfidenceScoring = 'linear' | 'threshold' | 'sigmoid' | ((correct: boolean, confidence: number) => number);

export interface ConfidenceAdapterOptions {
  taskLM: LanguageModel | string;
  /** The allowed labels (the literal union the model must answer with). */
  labels: readonly string[];
  /**
   * `linear`: correct → confidence. `threshold`: correct and confidence ≥ threshold → 1, correct but unsure → 0.5.
   * `sigmoid`: correct → 0.5 + 0.5·σ(steepness·(confidence − threshold)). Wrong answers score 0. Default `sigmoid`.
   */
  scoring?: ConfidenceScoring;
  threshold?: number;
  steepness?: number;
  topLogprobs?: number;
  concurrency?: number;
}

export interface ConfidenceTrajectory {
  data: ConfidenceDataInst;
  predicted: string;
  /** Probability of the predicted label's tokens; undefined when the provider returned no logprobs. */
  confidence?: number;
  /** Probability mass other labels received at the label's first token. */
  alternatives: Record<string, number>;
  score: number;
  feedback: string;
}

export class ConfidenceAdapterError extends TsdspyError {}

/**
 * Classification prompt optimization with confidence: the task LM answers with one label (structured output), and
 * the label tokens' logprobs tell how sure it was. Correct-but-unsure answers score below confident ones, and the
 * feedback tells reflection how confident the model was and which wrong labels took probability mass.
 */
export class ConfidenceAdapter implements GEPAAdapter<ConfidenceDataInst, ConfidenceTrajectory, string> {
  private readonly lm: LanguageModel;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly options: Required<Omit<ConfidenceAdapterOptions, 'taskLM' | 'concurrency'>>;

  constructor(options: ConfidenceAdapterOptions) {
    if (options.labels.length < 2) throw new ConfidenceAdapterError('ConfidenceAdapter needs at least two labels');
    this.lm = resolveLM(options.taskLM);
    this.limit = pLimit(options.concurrency ?? 8);
    this.options = {
      labels: options.labels,
      scoring: options.scoring ?? 'sigmoid',
      threshold: options.threshold ?? 0.8,
      steepness: options.steepness ?? 12,
      topLogprobs: options.topLogprobs ?? 5,
    };
  }

  async evaluate(
    batch: readonly ConfidenceDataInst[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<ConfidenceTrajectory, string>> {
    const systemPrompt = candidate[Object.keys(candidate)[0] as string] as string;
    const runs = await Promise.all(batch.map((data) => this.limit(() => this.classify(systemPrompt, data))));
    return {
      outputs: runs.map((r) => r.predicted),
      scores: runs.map((r) => r.score),
      ...(captureTraces ? { trajectories: runs } : {}),
    };
  }

  makeReflectiveDataset(
    _c: Candidate,
    batch: EvaluationBatch<ConfidenceTrajectory, string>,
    components: readonly string[],
  ): ReflectiveDataset {
    const records = (batch.trajectories ?? []).map((t) => ({
      Inputs: t.data.input,
      'Generated Outputs': t.confidence === undefined ? t.predicted : `${t.predicted} (confidence ${t.confidence.toFixed(2)})`,
      Feedback: t.feedback,
    }));
    return Object.fromEntries(components.map((c) => [c, records]));
  }

  /** The score for a prediction (exposed for tests and custom reporting). */
  score(correct: boolean, confidence: number): number {
    const { scoring, threshold, steepness } = this.options;
    if (typeof scoring === 'function') return scoring(correct, confidence);
    if (!correct) return 0;
    if (scoring === 'linear') return confidence;
    if (scoring === 'threshold') return confidence >= threshold ? 1 : 0.5;
    return 0.5 + 0.5 / (1 + Math.exp(-steepness * (confidence - threshold)));
  }

  private async classify(systemPrompt: string, data: ConfidenceDataInst): Promise<ConfidenceTrajectory> {
    const { labels, topLogprobs } = this.options;
    const response = await callWithCallbacks(
      this.lm,
      {
        messages: [
          { role: 'system', content: systemPrompt },
          { role: 'user', content: data.input },
        ],
        responseFormat: {
          type: 'json_schema',
          name: 'classification',
          schema: {
            type: 'object',
            properties: { label: { type: 'string', enum: [...labels] } },
            required: ['label'],
            additionalProperties: false,
          },
          strict: true,
        },
        logprobs: true,
        topLogprobs,
        temperature: 0,
      },
      'gepa.task',
    );
    const completion = response.completions[0] ?? { text: '' };
    const predicted = readLabel(completion.text, labels);
    const correct = predicted === data.label;
    const measured = completion.logprobs?.length ? labelConfidence(completion, predicted, labels) : undefined;
    if (!measured) {
      return {
        data,
        predicted,
        alternatives: {},
        score: correct ? 1 : 0,
        feedback: `${correct ? `Correct: "${predicted}".` : `Wrong: answered "${predicted}", but the label is "${data.label}".`} (The provider returned no logprobs, so confidence could not be measured; scoring fell back to right/wrong.)`,
      };
    }
    const { confidence, alternatives } = measured;
    const rivals = Object.entries(alternatives)
      .sort((a, b) => b[1] - a[1])
      .map(([label, p]) => `"${label}" took ${p.toFixed(2)}`)
      .join(', ');
    let feedback: string;
    if (!correct) {
      feedback = `Wrong: answered "${predicted}" with confidence ${confidence.toFixed(2)}, but the label is "${data.label}"${alternatives[data.label] !== undefined ? ` (it got ${alternatives[data.label]?.toFixed(2)})` : ''}. Say in the instructions what distinguishes "${data.label}" from "${predicted}".`;
    } else if (confidence < this.options.threshold) {
      feedback = `Correct ("${predicted}") but unsure: confidence ${confidence.toFixed(2)}${rivals ? `; ${rivals}` : ''}. Make the instructions state clearly when "${predicted}" applies.`;
    } else {
      feedback = `Correct: "${predicted}" with confidence ${confidence.toFixed(2)}.`;
    }
    return { data, predicted, confidence, alternatives, score: this.score(correct, confidence), feedback };
  }
}

/** The label from a JSON reply (`{"label": "x"}`), or the bare text when it is a label. */
function readLabel(text: string, labels: readonly string[]): string {
  try {
    const value = (JSON.parse(text) as { label?: unknown }).label;
    if (typeof value === 'string') return value;
  } catch {
    // not JSON: fall through to the bare text
  }
  const bare = text.trim().replace(/^["']|["']$/g, '');
  return labels.find((l) => l.toLowerCase() === bare.toLowerCase()) ?? bare;
}

/**
 * Confidence = probability of the tokens spelling the predicted label (the product of their probabilities).
 * Alternatives = probability that other labels received at the label's first token (from the top logprobs).
 */
export function labelConfidence(
  completion: Completion,
  predicted: string,
  labels: readonly string[],
): { confidence: number; alternatives: Record<string, number> } | undefined {
  const tokens = completion.logprobs as TokenLogprob[];
  const text = tokens.map((t) => t.token).join('');
  const quoted = text.indexOf(`"${predicted}"`);
  const start = quoted === -1 ? text.indexOf(predicted) : quoted + 1;
  if (start === -1) return undefined;
  const end = start + predicted.length;
  let position = 0;
  let logprob = 0;
  let first: TokenLogprob | undefined;
  let prefix = '';
  for (const token of tokens) {
    const tokenStart = position;
    position += token.token.length;
    if (position <= start || tokenStart >= end) continue;
    if (!first) {
      first = token;
      prefix = text.slice(tokenStart, start);
    }
    logprob += token.logprob;
  }
  if (!first) return undefined;
  const alternatives: Record<string, number> = {};
  for (const alt of first.top ?? []) {
    const piece = alt.token.slice(prefix.length).trim().toLowerCase();
    if (!piece || alt.token === first.token) continue;
    const label = labels.find((l) => l !== predicted && l.toLowerCase().startsWith(piece));
    if (label) alternatives[label] = (alternatives[label] ?? 0) + Math.exp(alt.logprob);
  }
  return { confidence: Math.exp(logprob), alternatives };
}
