import { Rng, seedState } from '../gepa/rng.js';

export interface TPEOptions {
  /** Number of choices per categorical parameter. */
  space: Record<string, number>;
  seed?: number;
  /** Random trials before the model is used (default: max(4, 2 × number of parameters)). */
  startupTrials?: number;
  /** Fraction of observations counted as "good" (default 0.25). */
  gamma?: number;
  /** Candidates drawn from the good model per suggestion (default 24). */
  candidates?: number;
  /** Pseudo-count added to every choice (default 1). */
  prior?: number;
}

/**
 * A small Tree-structured Parzen Estimator for categorical parameters (the sampler MIPROv2 uses): observations are
 * split into the best `gamma` fraction and the rest; for each parameter, choices are drawn from the good density
 * l(x) and the one maximising l(x)/g(x) is suggested. Parameters are modelled independently.
 */
export class TPESampler {
  private readonly rng: Rng;
  private readonly observations: Array<{ params: Record<string, number>; score: number }> = [];
  private readonly names: string[];

  constructor(private readonly options: TPEOptions) {
    this.rng = new Rng(seedState(options.seed ?? 0));
    this.names = Object.keys(options.space);
    for (const [name, size] of Object.entries(options.space)) {
      if (!Number.isInteger(size) || size < 1) throw new Error(`TPE: parameter ${name} needs at least one choice`);
    }
  }

  get history(): ReadonlyArray<{ params: Record<string, number>; score: number }> {
    return this.observations;
  }

  suggest(): Record<string, number> {
    const startup = this.options.startupTrials ?? Math.max(4, 2 * this.names.length);
    if (this.observations.length < startup) {
      return Object.fromEntries(this.names.map((n) => [n, this.rng.int(this.options.space[n] as number)]));
    }
    const sorted = [...this.observations].sort((a, b) => b.score - a.score);
    const nGood = Math.max(1, Math.ceil((this.options.gamma ?? 0.25) * sorted.length));
    const good = sorted.slice(0, nGood);
    const bad = sorted.slice(nGood);
    const prior = this.options.prior ?? 1;
    const params: Record<string, number> = {};
    for (const name of this.names) {
      const k = this.options.space[name] as number;
      const density = (group: typeof good) => {
        const counts = new Array<number>(k).fill(prior);
        for (const o of group) counts[o.params[name] as number] = (counts[o.params[name] as number] as number) + 1;
        const total = group.length + prior * k;
        return counts.map((c) => c / total);
      };
      const l = density(good);
      const g = density(bad);
      let bestChoice = 0;
      let bestRatio = Number.NEGATIVE_INFINITY;
      const choices = Array.from({ length: k }, (_, i) => i);
      for (let c = 0; c < (this.options.candidates ?? 24); c++) {
        const x = this.rng.weighted(choices, l);
        const ratio = (l[x] as number) / (g[x] as number);
        if (ratio > bestRatio) [bestRatio, bestChoice] = [ratio, x];
      }
      params[name] = bestChoice;
    }
    return params;
  }

  observe(params: Record<string, number>, score: number): void {
    this.observations.push({ params: { ...params }, score });
  }
}
