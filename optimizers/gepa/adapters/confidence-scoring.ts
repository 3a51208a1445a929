import { GEPAConfigError } from '../errors.js';

/**
 * Turns correctness and the model's probability for its label into a score in [0, 1] (higher is better).
 * `probability` is the joint probability of the label's tokens (exp of gepa's joint logprob); undefined when the
 * provider returned no logprobs, and then every built-in strategy scores plain right/wrong (1 / 0).
 */
export interface ConfidenceScoringStrategy {
  score(isCorrect: boolean, probability: number | undefined): number;
  describe(): string;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new GEPAConfigError(message);
}

/**
 * gepa's LinearBlendScoring: a correct answer at or above `lowConfidenceThreshold` scores 1; below it, the score
 * falls linearly from 1 towards `minScoreOnCorrect` as the probability goes to 0. Wrong answers score 0.
 */
export class LinearBlendScoring implements ConfidenceScoringStrategy {
  readonly lowConfidenceThreshold: number;
  readonly minScoreOnCorrect: number;

  constructor(options: { lowConfidenceThreshold?: number; minScoreOnCorrect?: number } = {}) {
    this.lowConfidenceThreshold = options.lowConfidenceThreshold ?? 0.5;
    this.minScoreOnCorrect = options.minScoreOnCorrect ?? 0.3;
    check(
      this.lowConfidenceThreshold > 0 && this.lowConfidenceThreshold <= 1,
      `LinearBlendScoring: lowConfidenceThreshold must be in (0, 1], got ${this.lowConfidenceThreshold}`,
    );
    check(
      this.minScoreOnCorrect >= 0 && this.minScoreOnCorrect < 1,
      `LinearBlendScoring: minScoreOnCorrect must be in [0, 1), got ${this.minScoreOnCorrect}`,
    );
  }

  score(isCorrect: boolean, probability: number | undefined): number {
    if (!isCorrect) return 0;
    if (probability === undefined || probability >= this.lowConfidenceThreshold) return 1;
    const t = probability / this.lowConfidenceThreshold;
    return this.minScoreOnCorrect + (1 - this.minScoreOnCorrect) * t;
  }

  describe(): string {
    return `LinearBlendScoring(threshold=${this.lowConfidenceThreshold}, minScore=${this.minScoreOnCorrect})`;
  }
}

/** gepa's ThresholdScoring: 1 only when correct and the probability is at least `threshold`, else 0. */
export class ThresholdScoring implements ConfidenceScoringStrategy {
  readonly threshold: number;

  constructor(options: { threshold?: number } = {}) {
    this.threshold = options.threshold ?? 0.7;
    check(this.threshold > 0 && this.threshold <= 1, `ThresholdScoring: threshold must be in (0, 1], got ${this.threshold}`);
  }

  score(isCorrect: boolean, probability: number | undefined): number {
    if (!isCorrect) return 0;
    if (probability === undefined) return 1;
    return probability >= this.threshold ? 1 : 0;
  }

  describe(): string {
    return `ThresholdScoring(threshold=${this.threshold})`;
  }
}

/** gepa's SigmoidScoring: correct → σ(steepness · (probability − midpoint)); wrong → 0. */
export class SigmoidScoring implements ConfidenceScoringStrategy {
  readonly midpoint: number;
  readonly steepness: number;

  constructor(options: { midpoint?: number; steepness?: number } = {}) {
    this.midpoint = options.midpoint ?? 0.5;
    this.steepness = options.steepness ?? 10;
    check(this.midpoint > 0 && this.midpoint < 1, `SigmoidScoring: midpoint must be in (0, 1), got ${this.midpoint}`);
    check(this.steepness > 0, `SigmoidScoring: steepness must be positive, got ${this.steepness}`);
  }

  score(isCorrect: boolean, probability: number | undefined): number {
    if (!isCorrect) return 0;
    if (probability === undefined) return 1;
    return 1 / (1 + Math.exp(-this.steepness * (probability - this.midpoint)));
  }

  describe(): string {
    return `SigmoidScoring(midpoint=${this.midpoint}, steepness=${this.steepness})`;
  }
}

/** A strategy name (gepa's defaults), a strategy object, or a function of (correct, probability). */
export type ConfidenceScoring =
  | 'linear'
  | 'threshold'
  | 'sigmoid'
  | ConfidenceScoringStrategy
  | ((isCorrect: boolean, probability: number | undefined) => number);

/**
 * The strategy in force. With no `scoring`, gepa's adapter default: linear blend whose threshold is the
 * adapter's `highConfidenceThreshold`. Named strategies take `threshold` (linear blend: its low-confidence
 * threshold; threshold: the cut-off; sigmoid: the midpoint), `minScoreOnCorrect` and `steepness`.
 */
export function resolveConfidenceScoring(
  scoring: ConfidenceScoring | undefined,
  params: { threshold?: number; minScoreOnCorrect?: number; steepness?: number; highConfidenceThreshold: number },
): ConfidenceScoringStrategy {
  if (scoring === undefined) {
    return new LinearBlendScoring({
      lowConfidenceThreshold: params.threshold ?? params.highConfidenceThreshold,
      ...(params.minScoreOnCorrect !== undefined ? { minScoreOnCorrect: params.minScoreOnCorrect } : {}),
    });
  }
  if (typeof scoring === 'function') return { score: scoring, describe: () => 'custom scoring function' };
  if (typeof scoring === 'object') return scoring;
  if (scoring === 'linear') {
    return new LinearBlendScoring({
      ...(params.threshold !== undefined ? { lowConfidenceThreshold: params.threshold } : {}),
      ...(params.minScoreOnCorrect !== undefined ? { minScoreOnCorrect: params.minScoreOnCorrect } : {}),
    });
  }
  if (scoring === 'threshold') return new ThresholdScoring(params.threshold !== undefined ? { threshold: params.threshold } : {});
  return new SigmoidScoring({
    ...(params.threshold !== undefined ? { midpoint: params.threshold } : {}),
    ...(params.steepness !== undefined ? { steepness: params.steepness } : {}),
  });
}
