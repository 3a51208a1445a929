import { Signature, SignatureError, signature, typeLabel, z } from 'tsdspy';
import { describe, expect, it } from 'vitest';

function errorOf(fn: () => unknown): SignatureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SignatureError) return error;
    throw error;
  }
  throw new Error('expected a SignatureError');
}

describe('signature string parsing', () => {
  it('reads names, optional markers, types and descriptions in order', () => {
    const sig = signature(
      'question, context?: string[] -> answer: number "the final, numeric -> answer"',
      'Answer with a number.',
    );
    expect(sig.inputFields.map((f) => [f.name, f.optional, typeLabel(f.schema)])).toEqual([
      ['question', false, 'string'],
      ['context', true, 'list[string]'],
    ]);
    const answer = sig.outputFields[0];
    expect(answer?.name).toBe('answer');
    expect(answer?.description).toBe('the final, numeric -> answer');
    expect(answer?.prefix).toBe('Answer:');
    expect(sig.instructions).toBe('Answer with a number.');
  });

  it('supports every documented type', () => {
    const sig = signature(
      "a: string, b: number, c: int, d: boolean, e: string[], f: number[], g: int[], h: boolean[], i: json -> s: 'positive' | 'negative' | 'neutral'",
    );
    const labels = sig.fields.map((f) => typeLabel(f.schema));
    expect(labels).toEqual([
      'string',
      'number',
      'int',
      'boolean',
      'list[string]',
      'list[number]',
      'list[int]',
      'list[boolean]',
      'json',
      'one of: "positive", "negative", "neutral"',
    ]);
    const c = sig.field('c');
    expect(c?.schema.safeParse(1.5).success).toBe(false);
    expect(c?.schema.safeParse(2).success).toBe(true);
    expect(sig.field('s')?.schema.safeParse('neutral').success).toBe(true);
    expect(sig.field('s')?.schema.safeParse('meh').success).toBe(false);
  });

  it('derives instructions from the fields when none are given', () => {
    expect(signature('question, context -> answer').instructions).toBe(
      'Given the fields `question`, `context`, produce the fields `answer`.',
    );
  });

  it.each([
    ['question answer', 'no "->"', 1],
    ['a -> b -> c', 'more than one "->"', 8],
    [' -> answer', 'no input fields', 2],
    ['question -> ', 'no output fields', 10],
    ['a, a -> b', 'Duplicate field name "a"', 4],
    ['a -> a', 'Duplicate field name "a"', 6],
    ['a -> completions', 'reserved', 6],
    ['a: float32 -> b', 'Unknown type "float32"', 4],
    ['a: json[] -> b', 'Unknown type "json[]"', 4],
    ["a -> b: 'x' | y", 'Cannot read literal "y"', 9],
    ["a -> b: 'x' | 'x'", 'repeats', 9],
    ['a, , b -> c', 'Empty input field', 3],
    ['1a -> b', 'Invalid field name "1a"', 1],
    ['a: -> b', 'has ":" but no type', 1],
    ['question -> answer: numbr', 'Unknown type "numbr"', 21],
  ])('rejects %j with a message naming the token and column', (source, message, column) => {
    const error = errorOf(() => signature(source));
    expect(error.message).toContain(message);
    expect(error.column).toBe(column);
    expect(error.message).toContain(`column ${column}`);
    expect(error.token).toBeTypeOf('string');
  });
});

describe('object form', () => {
  it('keeps zod schemas and descriptions', () => {
    const sig = signature({
      instructions: 'Classify.',
      inputs: { text: z.string().describe('the text') },
      outputs: { label: z.enum(['a', 'b']), confidence: z.number().optional() },
    });
    expect(sig.field('text')?.description).toBe('the text');
    expect(sig.field('confidence')?.optional).toBe(true);
    expect(sig.outputFields.map((f) => f.name)).toEqual(['label', 'confidence']);
  });

  it('refuses reserved and duplicate names', () => {
    expect(() => signature({ inputs: { usage: z.string() }, outputs: { a: z.string() } })).toThrow(SignatureError);
    expect(() => signature({ inputs: { a: z.string() }, outputs: { a: z.string() } })).toThrow(/Duplicate/);
  });
});

describe('immutable edits', () => {
  const base = signature('question -> answer');

  it('returns new signatures and leaves the original alone', () => {
    const edited = base
      .withInstructions('Be brief.')
      .appendInput('context', z.array(z.string()))
      .prependOutput('reasoning', z.string());
    expect(edited.shape).toBe('question, context -> reasoning, answer');
    expect(edited.instructions).toBe('Be brief.');
    expect(base.shape).toBe('question -> answer');
    expect(base.instructions).toBe('Given the fields `question`, produce the fields `answer`.');
    expect(Object.isFrozen(base)).toBe(true);
  });

  it('re-derives default instructions, keeps custom ones', () => {
    expect(base.appendOutput('score', z.number()).instructions).toContain('`answer`, `score`');
    expect(base.withInstructions('X').appendOutput('score', z.number()).instructions).toBe('X');
  });

  it('deletes and updates fields', () => {
    const sig = base.appendInput('context', z.string()).prependInput('topic', z.string());
    expect(sig.shape).toBe('topic, question, context -> answer');
    expect(sig.delete('context').shape).toBe('topic, question -> answer');
    const updated = sig.withUpdatedField('answer', { description: 'short', prefix: 'Final Answer:' });
    expect(updated.field('answer')?.description).toBe('short');
    expect(updated.field('answer')?.prefix).toBe('Final Answer:');
    expect(() => sig.delete('nope')).toThrow(SignatureError);
    expect(() => sig.withUpdatedField('nope' as 'answer', {})).toThrow(SignatureError);
  });
});

describe('JSON round trip', () => {
  it('restores names, types, optionality, descriptions and instructions', () => {
    const sig = signature(
      "question, context?: string[], n: int -> label: 'yes' | 'no', score: number \"how sure\", meta?: json, flags: boolean[]",
      'Decide.',
    );
    const again = Signature.fromJSON(JSON.parse(JSON.stringify(sig.toJSON())));
    expect(again.toJSON()).toEqual(sig.toJSON());
    expect(again.field('n')?.schema.safeParse(1.5).success).toBe(false);
    expect(again.field('label')?.schema.safeParse('no').success).toBe(true);
    expect(again.field('label')?.schema.safeParse('maybe').success).toBe(false);
    expect(again.field('context')?.optional).toBe(true);
    expect(again.field('score')?.description).toBe('how sure');
  });

  it('refuses malformed JSON with a SignatureError', () => {
    expect(() => Signature.fromJSON({ instructions: 1 })).toThrow(SignatureError);
  });
});
