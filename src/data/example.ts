import { TsdspyError } from '../errors/index.js';

type Data = Record<string, unknown>;

/** An Example reached a program before `withInputs` said which of its keys are inputs (the rest are labels). */
export class MissingInputKeysError extends TsdspyError {}

/**
 * A training or evaluation record: plain data plus which keys are inputs.
 * Immutable by convention; every method returns a new Example. Unknown keys are kept.
 */
class ExampleRecord<T extends object, K extends keyof T & string> {
  readonly data: Readonly<T>;
  readonly inputKeys: readonly string[] | undefined;

  constructor(data: T | ExampleRecord<T, K>, inputKeys?: readonly string[]) {
    this.data = Object.freeze({ ...(data instanceof ExampleRecord ? data.data : data) }) as Readonly<T>;
    this.inputKeys = inputKeys ?? (data instanceof ExampleRecord ? data.inputKeys : undefined);
    // Field reads by property (`example.question`), as in DSPy; the record's own members win over data keys.
    // biome-ignore lint/correctness/noConstructorReturn: the Proxy is how an Example exposes its fields
    return new Proxy(this, fieldAccess as ProxyHandler<this>);
  }

  /** Marks which keys are inputs; the rest are labels. */
  withInputs<NK extends keyof T & string>(...keys: NK[]): Example<T, NK> {
    for (const key of keys) {
      if (!(key in this.data))
        throw new MissingInputKeysError(`withInputs: example has no key "${key}" (keys: ${Object.keys(this.data).join(', ')})`);
    }
    return new ExampleRecord<T, NK>(this.data as T, keys) as Example<T, NK>;
  }

  get<KK extends keyof T & string>(key: KK): T[KK] {
    return this.data[key];
  }

  keys(): string[] {
    return Object.keys(this.data);
  }

  /** The input fields. Throws if `withInputs` was never called, since guessing would leak labels into prompts. */
  inputs(): Pick<T, K> {
    return pick(this.data, this.requireInputKeys()) as Pick<T, K>;
  }

  labels(): Partial<T> {
    const inputs = new Set(this.requireInputKeys());
    return pick(
      this.data,
      Object.keys(this.data).filter((k) => !inputs.has(k)),
    );
  }

  with(patch: Partial<T>): Example<T, K> {
    return new ExampleRecord<T, K>({ ...this.data, ...patch } as T, this.inputKeys) as Example<T, K>;
  }

  toJSON(): T {
    return { ...this.data } as T;
  }

  private requireInputKeys(): readonly string[] {
    if (!this.inputKeys)
      throw new MissingInputKeysError('Example has no input keys; call example.withInputs("question", ...) first');
    return this.inputKeys;
  }
}
Object.defineProperty(ExampleRecord, 'name', { value: 'Example' });

const fieldAccess: ProxyHandler<ExampleRecord<object, never>> = {
  get(target, key, receiver) {
    if (typeof key !== 'string' || key in target || key === 'then') return Reflect.get(target, key, receiver);
    return Object.hasOwn(target.data, key) ? (target.data as Data)[key] : undefined;
  },
  has(target, key) {
    return key in target || (typeof key === 'string' && Object.hasOwn(target.data, key));
  },
};

type Members = keyof ExampleRecord<object, never>;

/**
 * An Example with data `T` whose input keys are `K` (set by `withInputs`). Fields read as properties
 * (`example.question`, typed) as well as through `get()` and `data`.
 */
export type Example<T extends object = Data, K extends keyof T & string = never> = ExampleRecord<T, K> &
  Readonly<Omit<T, Members>>;

export interface ExampleConstructor {
  new <T extends object, K extends keyof T & string>(data: Example<T, K>): Example<T, K>;
  new <T extends object = Data>(data: T, inputKeys?: readonly string[]): Example<T>;
  readonly prototype: ExampleRecord<object, never>;
}

export const Example = ExampleRecord as unknown as ExampleConstructor;

function pick<T extends object>(data: Readonly<T>, keys: readonly string[]): Partial<T> {
  const out: Data = {};
  for (const key of keys) if (key in data) out[key] = (data as Data)[key];
  return out as Partial<T>;
}

/** A demo as a plain record: an Example's data (a fresh object), a plain record as it is. */
export function demoRecord(demo: Example<object> | Data): Data {
  return demo instanceof Example ? { ...(demo.data as Data) } : (demo as Data);
}

/** Reads the record behind an Example or returns a plain object as is. */
export function exampleData(example: Example<object> | Data): Data {
  return example instanceof Example ? (example.data as Data) : (example as Data);
}

/**
 * What a program receives for an example: an Example's inputs, or a plain object as it is. An Example on which
 * `withInputs` was never called is refused: passing it whole would leak its labels into the program.
 */
export function exampleInputs(example: Example<object> | Data): Data {
  if (!(example instanceof Example)) return example;
  if (!example.inputKeys) throw missingInputKeys(example, 'the program');
  return example.inputs() as Data;
}

/** Refuses, before anything runs, any Example in `examples` on which `withInputs` was never called. */
export function assertInputKeys(examples: readonly unknown[], where: string): void {
  const index = examples.findIndex((e) => e instanceof Example && !e.inputKeys);
  if (index !== -1) throw missingInputKeys(examples[index] as Example<object>, where, index);
}

function missingInputKeys(example: Example<object>, where: string, index?: number): MissingInputKeysError {
  const first = JSON.stringify(Object.keys(example.data)[0] ?? 'question');
  return new MissingInputKeysError(
    `${index === undefined ? 'An Example' : `Example ${index}`} given to ${where} has no input keys, so its labels would reach the program: call example.withInputs(${first}, …) naming the input keys only (its keys: ${Object.keys(example.data).join(', ')}). Plain objects are passed as they are.`,
  );
}
