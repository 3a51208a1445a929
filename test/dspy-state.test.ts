import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChainOfThought, DSPyStateMismatchError, Module, Predict, ReAct } from 'tsdspy';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => fileURLToPath(new URL(`./dspy-conformance/fixtures/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8')) as Record<string, unknown>;

class Solver extends Module<{ question: string }, unknown> {
  generate = new ChainOfThought('question -> answer');
  forward(inputs: { question: string }) {
    return this.generate.call(inputs);
  }
}

describe('loading DSPy saved programs', () => {
  it('maps a ChainOfThought inside a module: instructions, field texts by position and prefix, demos', async () => {
    const solver = await new Solver().load(fixture('dspy_saved_cot.json'));
    const sig = solver.generate.predict.signature;
    expect(sig.instructions).toBe('Solve the arithmetic word problem. Show your work.');
    // `Final Answer:` matches no field name: the field is found by position (same field count).
    expect(sig.field('answer')?.prefix).toBe('Final Answer:');
    expect(sig.field('answer')?.description).toBe('a number only');
    // `${reasoning}` means "no DSPy description": tsdspy's own stays.
    expect(sig.field('reasoning')?.description).toBe(
      new ChainOfThought('question -> answer').signature.field('reasoning')?.description,
    );
    expect(solver.generate.predict.demos).toEqual([{ question: 'What is 7 * 6?', reasoning: '7 times 6 is 42.', answer: '42' }]);
  });

  it('maps ReAct across the extra .predict level and keeps tsdspy-only fields', async () => {
    const react = new ReAct('question -> answer', { tools: [] });
    await react.load(fixture('dspy_saved_react.json'));
    expect(react.react.signature.field('next_tool_args')?.prefix).toBe('Next Tool Args:');
    expect(react.react.signature.field('available_tools')).toBeDefined();
    expect(react.extract.signature.field('answer')?.description).toBe('The shortest correct answer');
    expect(react.extract.demos[0]).not.toHaveProperty('augmented');
    expect(react.react.demos[1]).not.toHaveProperty('dspy_uuid');
  });

  it('loads a bare DSPy Predict state into a Predict', () => {
    const state = json('dspy_saved_cot.json')['generate.predict'];
    const predict = new Predict('question -> reasoning, answer').loadState(state);
    expect(predict.instructions).toBe('Solve the arithmetic word problem. Show your work.');
    expect(predict.demos).toHaveLength(1);
  });

  it('names every predictor and field that does not map, and changes nothing', () => {
    class Other extends Module<{ question: string }, unknown> {
      solve = new Predict('question -> answer');
      check = new Predict('answer -> verdict');
      forward() {
        return Promise.resolve(undefined);
      }
    }
    const other = new Other();
    const before = other.dumpState({ savedAt: 'x' });
    let error: unknown;
    try {
      other.loadState(json('dspy_saved_cot.json'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DSPyStateMismatchError);
    expect(String(error)).toContain('DSPy predictor "generate.predict" has no counterpart');
    expect(String(error)).toContain('no saved state for predictor(s) solve, check');
    expect(other.dumpState({ savedAt: 'x' }).predictors).toEqual(before.predictors);

    const fewer = new Predict('question -> answer');
    expect(() => fewer.loadState(json('dspy_saved_cot.json')['generate.predict'])).toThrow(/DSPy field \d \(prefix "Reasoning/);
  });
});
