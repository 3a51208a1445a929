import { BootstrapFewShot, ChainOfThought, GEPA, type Prediction, ProgramSource } from 'tsdspy';
import { describe, expectTypeOf, it } from 'vitest';

interface MathExample {
  question: string;
  answer: string;
}

describe('optimizer typing', () => {
  it('infers metric parameter types, with plain records by default', () => {
    new GEPA({
      metric: (example, pred) => {
        expectTypeOf(example).toEqualTypeOf<Record<string, unknown>>();
        expectTypeOf(pred).toEqualTypeOf<Record<string, unknown>>();
        return pred.answer === example.answer;
      },
      maxMetricCalls: 10,
      reflectionLM: () => '',
    });
    // A metric annotated with the user's own (interface) types is accepted as written.
    const typed = new GEPA({
      metric: (example: MathExample, pred: Prediction<{ reasoning: string; answer: string }>) => ({
        score: pred.answer === example.answer ? 1 : 0,
        feedback: pred.reasoning,
      }),
      auto: 'light',
      reflectionLM: () => '',
    });
    expectTypeOf(typed).toEqualTypeOf<GEPA<MathExample, Prediction<{ reasoning: string; answer: string }>>>();
    new BootstrapFewShot({ metric: (example: MathExample, pred: { answer: string }) => example.answer === pred.answer });
  });

  it('returns the program type from compile, and a ProgramSource for sources', () => {
    const gepa = new GEPA({ metric: () => 1, maxMetricCalls: 10, reflectionLM: () => '' });
    const program = new ChainOfThought('question -> answer: int');
    type Compiled = Awaited<ReturnType<typeof gepa.compile<typeof program>>>;
    expectTypeOf<Awaited<ReturnType<Compiled['call']>>['answer']>().toEqualTypeOf<number>();
    expectTypeOf(gepa.compile(new ProgramSource(''), [])).resolves.toMatchTypeOf<ProgramSource>();
  });
});
