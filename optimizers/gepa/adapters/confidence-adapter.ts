import pLimit from 'p-limit';
import { callWithCallbacks } from '../../../src/adapters/adapter.js';
import { TsdspyError } from '../../../src/errors/index.js';
import { resolveLM } from '../../../src/lm/registry.js';
import type { Completion, LanguageModel, TokenLogprob } from '../../../src/lm/types.js';
import { logger } from '../../../src/logger/logger.js';
import type { Candidate, EvaluationBatch, GEPAAdapter, ReflectiveDataset } from '../types.js';
import { type ConfidenceScoring, type ConfidenceScoringStrategy, resolveConfidenceScoring } from './confidence-scoring.js';

export interface ConfidenceDataInst {
  input: string;
  label: string;
}

export type { ConfidenceScoring, ConfidenceScoringStrategy };

export interface ConfidenceAdapterOptions {
  taskLM: LanguageModel | string;
  /** The allowed labels (the literal union the model must answer with). */
  labels: readonly string[];
  /**
   * gepa's scoring strategies (docs/optimize-anything.md). Default: linear blend with threshold
   * `highConfidenceThreshold` (a correct answer below it scores between `minScoreOnCorrect` and 1). Wrong answers
   * score 0; with no logprobs every strategy scores right/wrong.
   */
  scoring?: ConfidenceScoring;
  /** The named strategy's probability threshold (linear blend 0.5, threshold 0.7, sigmoid midpoint 0.5). */
  threshold?: number;
  /** Linear blend: the lowest score of a correct answer (0.3). */
  minScoreOnCorrect?: number;
  /** Sigmoid steepness (10). */
  steepness?: number;
  /** Probability from which an answer counts as confident in the feedback, and the default scoring's threshold (0.99). */
  highConfidenceThreshold?: number;
  /** Probability below which a correct answer is called unsure in the feedback (0.9). */
  lowConfidenceThreshold?: number;
  /** Score of an example whose task-LM call failed (0); the failure is logged and shown to reflection. */
  failureScore?: number;
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
  correct: boolean;
  score: number;
  feedback: string;
  /** Set when the task-LM call failed. */
  error?: string;
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
  private readonly options: {
    labels: readonly string[];
    topLogprobs: number;
    lowConfidenceThreshold: number;
    failureScore: number;
  };
  /** The scoring strategy in force. */
  readonly scoring: ConfidenceScoringStrategy;

  constructor(options: ConfidenceAdapterOptions) {
    if (options.labels.length < 2) throw new ConfidenceAdapterError('ConfidenceAdapter needs at least two labels');
    this.lm = resolveLM(options.taskLM);
    this.limit = pLimit(options.concurrency ?? 8);
    const highConfidenceThreshold = options.highConfidenceThreshold ?? 0.99;
    this.scoring = resolveConfidenceScoring(options.scoring, {
      highConfidenceThreshold,
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.minScoreOnCorrect !== undefined ? { minScoreOnCorrect: options.minScoreOnCorrect } : {}),
      ...(options.steepness !== undefined ? { steepness: options.steepness } : {}),
    });
    this.options = {
      labels: options.labels,
      topLogprobs: options.topLogprobs ?? 5,
      lowConfidenceThreshold: options.lowConfidenceThreshold ?? 0.9,
      failureScore: options.failureScore ?? 0,
    };
  }

  async evaluate(
    batch: readonly ConfidenceDataInst[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<ConfidenceTrajectory, string>> {
    const systemPrompt = candidate[Object.keys(candidate)[0] as string] as string;
    const runs = await Promise.all(batch.map((data) => this.limit(() => this.classifyOrFail(systemPrompt, data))));
    const failed = runs.filter((r) => r.error !== undefined);
    if (failed.length > 0) {
      logger.warn(
        `ConfidenceAdapter: ${failed.length} of ${runs.length} task-LM calls failed and scored ${this.options.failureScore} (first: ${failed[0]?.error})`,
      );
    }
    return {
      outputs: runs.map((r) => r.predicted),
      scores: runs.map((r) => r.score),
      objectiveScores: runs.map((r) => ({ accuracy: r.correct ? 1 : 0, probability: r.confidence ?? 0 })),
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
  score(correct: boolean, confidence: number | undefined): number {
    return this.scoring.score(correct, confidence);
  }

  /** As gepa: a failed task-LM call scores `failureScore`, with the error as feedback, instead of failing the batch. */
  private async classifyOrFail(systemPrompt: string, data: ConfidenceDataInst): Promise<ConfidenceTrajectory> {
    try {
      return await this.classify(systemPrompt, data);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        data,
        predicted: '',
        alternatives: {},
        correct: false,
        score: this.options.failureScore,
        feedback: `The task LM call failed (${message}), so there is no answer. The label is "${data.label}".`,
        error: message,
      };
    }
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
    // As gepa: labels compare trimmed and case-insensitively.
    const correct = predicted.trim().toLowerCase() === data.label.trim().toLowerCase();
    const measured = completion.logprobs?.length ? labelConfidence(completion, predicted, labels) : undefined;
    if (!measured) {
      return {
        data,
        predicted,
        alternatives: {},
        correct,
        score: this.score(correct, undefined),
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
    } else if (confidence < this.options.lowConfidenceThreshold) {
      feedback = `Correct ("${predicted}") but unsure: confidence ${confidence.toFixed(2)}${rivals ? `; ${rivals}` : ''}. Make the instructions state clearly when "${predicted}" applies.`;
    } else {
      feedback = `Correct: "${predicted}" with confidence ${confidence.toFixed(2)}.`;
    }
    return { data, predicted, confidence, alternatives, correct, score: this.score(correct, confidence), feedback };
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
