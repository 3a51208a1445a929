import { ChainOfThought, Predict, type Signature, signature, z } from 'tsdspy';
import { describe, expectTypeOf, it } from 'vitest';

describe('signature type inference', () => {
  it('infers from the string form', () => {
    const sig = signature(
      "question, context?: string[], k: int -> answer: number \"the, answer\", label: 'a' | 'b', ok: boolean, extra?: json",
    );
    expectTypeOf(sig).toEqualTypeOf<
      Signature<
        { question: string; k: number; context?: string[] },
        { answer: number; label: 'a' | 'b'; ok: boolean; extra?: unknown }
      >
    >();
  });

  it('infers from zod shapes', () => {
    const sig = signature({
      inputs: { question: z.string(), tags: z.array(z.string()).optional() },
      outputs: { answer: z.number(), why: z.string().optional() },
    });
    expectTypeOf(sig).toEqualTypeOf<
      Signature<{ question: string; tags?: string[] | undefined }, { answer: number; why?: string | undefined }>
    >();
  });

  it('types Predict and ChainOfThought predictions without annotations', async () => {
    const predict = new Predict('question -> answer: number');
    type P = Awaited<ReturnType<typeof predict.call>>;
    expectTypeOf<P['answer']>().toEqualTypeOf<number>();
    expectTypeOf<Parameters<typeof predict.call>[0]>().toEqualTypeOf<{ question: string }>();

    const cot = new ChainOfThought('question -> answer: int, unit');
    type C = Awaited<ReturnType<typeof cot.call>>;
    expectTypeOf<C['reasoning']>().toEqualTypeOf<string>();
    expectTypeOf<C['answer']>().toEqualTypeOf<number>();
    expectTypeOf<C['unit']>().toEqualTypeOf<string>();
  });

  it('carries types through edits', () => {
    const sig = signature('question -> answer').appendOutput('score', z.number()).delete('answer');
    expectTypeOf(sig).toEqualTypeOf<Signature<{ question: string }, { score: number }>>();
  });
});
