import { createHash } from 'node:crypto';
import { Example, exampleData } from '../data/example.js';
import { isPrediction, makePrediction } from '../data/prediction.js';
import type { AnyModule } from '../module/module.js';
import type { ProgramState } from '../module/state.js';

type Data = Record<string, unknown>;

/** An example as it travels in a job: its data, and which keys are inputs when it is an Example. */
export interface PortableExample {
  data: Data;
  inputKeys?: string[];
}

export function toPortableExample(example: Example<object> | Data): PortableExample {
  const data = exampleData(example);
  return example instanceof Example && example.inputKeys ? { data, inputKeys: [...example.inputKeys] } : { data };
}

export function fromPortableExample(portable: PortableExample): Example<Data> | Data {
  return portable.inputKeys ? new Example(portable.data, portable.inputKeys) : portable.data;
}

/** A program's result as it travels back: a Prediction keeps its completions and usage. */
export type PortableValue = { prediction: { fields: Data; completions: Data[]; usage?: unknown } } | { value: unknown };

export function toPortableValue(value: unknown): PortableValue {
  if (isPrediction(value)) {
    return {
      prediction: {
        fields: plainJson(value.toJSON()) as Data,
        completions: plainJson(value.completions) as Data[],
        ...(value.usage ? { usage: plainJson(value.usage) } : {}),
      },
    };
  }
  return { value: plainJson(value) };
}

export function fromPortableValue(portable: PortableValue): unknown {
  if ('prediction' in portable) {
    const { fields, completions, usage } = portable.prediction;
    return makePrediction(fields, completions, usage as Parameters<typeof makePrediction>[2]);
  }
  return portable.value;
}

/** JSON round trip that never throws: cycles and BigInts become strings, functions disappear. */
export function plainJson(value: unknown): unknown {
  if (value === undefined) return undefined;
  const seen = new WeakSet<object>();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
  return text === undefined ? undefined : JSON.parse(text);
}

/** A program's state as a job carries it: predictors' instructions, demos and configs, without metadata. */
export function portableState(program: AnyModule): ProgramState {
  return { ...program.dumpState(), metadata: {} };
}

/** Short stable hash for job ids and worker-side caches. */
export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A worker keeps one program per state it was sent (a few at most), so jobs do not re-parse it each time. */
export class ProgramCache {
  private readonly programs = new Map<string, AnyModule>();

  constructor(private readonly size = 8) {}

  get(base: AnyModule, key: string, build: (fresh: AnyModule) => AnyModule): AnyModule {
    let program = this.programs.get(key);
    if (!program) {
      program = build(base.clone());
      this.programs.set(key, program);
      if (this.programs.size > this.size) this.programs.delete(this.programs.keys().next().value as string);
    }
    return program;
  }
}
