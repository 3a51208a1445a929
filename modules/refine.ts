import { z } from 'zod';
import type { CallOptions } from '../src/module/module.js';
import { Predict } from '../src/module/predict.js';
import { currentSettings, withSettings } from '../src/settings/settings.js';
import { signature } from '../src/signature/signature.js';
import { captureTraceSettled, type Trace } from '../src/trace/trace.js';
import { AttemptingModule, runAttempt } from './best-of-n.js';

const feedbackSignature = signature({
  instructions:
    'A program ran and its output scored below the target. Study its inputs, the steps each module took, and the outputs, and work out what went wrong. Then give each module concrete advice that would make the next run reach the target. Advise only modules that need to change.',
  inputs: {
    program_inputs: z.string().describe('The inputs the program received'),
    program_trajectory: z.string().describe('Each module call: its name, inputs and outputs'),
    program_outputs: z.string().describe('What the program returned'),
    reward_value: z.number().describe('The score the outputs received'),
    target_threshold: z.number().describe('The score the outputs must reach'),
    module_names: z.array(z.string()).describe('Modules that can receive advice'),
  },
  outputs: {
    discussion: z.string().describe('What went wrong and why'),
    advice: z.record(z.string(), z.string()).describe('For each module name that should change, what it should do differently'),
  },
});

/**
 * Like BestOfN, but after each attempt that misses the threshold an LM writes advice for each module, and the next
 * attempt sees that advice as a `hint` input on the predictors concerned (DSPy's Refine).
 */
export class Refine<I, O> extends AttemptingModule<I, O> {
  feedback = new Predict(feedbackSignature);

  async forward(inputs: I, options?: CallOptions): Promise<O> {
    let best: { prediction: O; reward: number } | undefined;
    let hints = new Map<object, string>();
    const errors: unknown[] = [];
    const names = new Map(this.module.namedPredictors().map(([name, p]) => [p as object, name]));
    for (let attempt = 0; attempt < this.n; attempt++) {
      const run = () => runAttempt(this.module, inputs, attempt, options);
      const { result: prediction, error, trace } = await captureTraceSettled(() => withSettings({ hints }, run));
      if (error !== undefined) {
        this.recordFailure(errors, error);
        continue;
      }
      const reward = await this.rewardFn(inputs, prediction as O);
      if (!best || reward > best.reward) best = { prediction: prediction as O, reward };
      if (reward >= this.threshold || attempt === this.n - 1) break;
      hints = await this.advise(inputs, prediction as O, reward, trace, names, options);
    }
    return this.bestOrThrow(best, errors);
  }

  private async advise(
    inputs: I,
    prediction: O,
    reward: number,
    trace: Trace,
    names: Map<object, string>,
    options?: CallOptions,
  ): Promise<Map<object, string>> {
    const moduleNames = [...new Set(names.values())];
    const trajectory = trace
      .map(
        (t) =>
          `## ${names.get(t.predictor) ?? t.predictorName}\ninputs: ${JSON.stringify(t.inputs)}\noutputs: ${JSON.stringify(t.outputs)}`,
      )
      .join('\n\n');
    // The advice call itself must not receive hints or the attempt's sampling overrides.
    const { advice } = await withSettings({ hints: new Map(), config: { ...currentSettings().config } }, () =>
      this.feedback.call(
        {
          program_inputs: JSON.stringify(inputs),
          program_trajectory: trajectory || '(no module calls)',
          program_outputs: JSON.stringify(prediction),
          reward_value: reward,
          target_threshold: this.threshold,
          module_names: moduleNames,
        },
        options,
      ),
    );
    const byName = new Map([...names].map(([predictor, name]) => [name, predictor]));
    const hints = new Map<object, string>();
    for (const [name, text] of Object.entries(advice)) {
      const predictor = byName.get(name);
      if (predictor && typeof text === 'string') hints.set(predictor, text);
    }
    return hints;
  }
}
