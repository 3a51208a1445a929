import { inspect } from 'node:util';
import { AdapterParseError, ChatAdapter, makePrediction, signature } from 'tsdspy';
import { describe, expect, it } from 'vitest';

describe('papercuts', () => {
  it('console.log(prediction) shows Prediction { … }', () => {
    expect(inspect(makePrediction({ answer: 'Paris' }))).toBe("Prediction { answer: 'Paris' }");
  });

  it('an AdapterParseError prints a compact message, not zod internals', () => {
    let error: unknown;
    try {
      new ChatAdapter().parse(signature('question -> answer: int'), 'no markers here');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdapterParseError);
    const printed = inspect(error);
    expect(printed).toContain('question -> answer');
    expect(printed).toContain('missing fields: answer');
    expect(printed).not.toContain('_zod');
    expect(printed.length).toBeLessThan(3000);
  });
});
