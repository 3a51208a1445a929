type Data = Record<string, unknown>;

/**
 * A training or evaluation record: plain data plus which keys are inputs.
 * Immutable by convention; every method returns a new Example. Unknown keys are kept.
 */
export class Example<T extends object = Data> {
  readonly data: Readonly<T>;
  readonly inputKeys: readonly string[] | undefined;

  constructor(data: T | Example<T>, inputKeys?: readonly string[]) {
    this.data = Object.freeze({ ...(data instanceof Example ? data.data : data) });
    this.inputKeys = inputKeys ?? (data instanceof Example ? data.inputKeys : undefined);
  }

  /** Marks which keys are inputs; the rest are labels. */
  withInputs<K extends keyof T & string>(...keys: K[]): Example<T> {
    for (const key of keys) {
      if (!(key in this.data))
        throw new Error(`withInputs: example has no key "${key}" (keys: ${Object.keys(this.data).join(', ')})`);
    }
    return new Example(this.data, keys);
  }

  get<K extends keyof T & string>(key: K): T[K] {
    return this.data[key];
  }

  keys(): string[] {
    return Object.keys(this.data);
  }

  /** The input fields. Throws if `withInputs` was never called, since guessing would leak labels into prompts. */
  inputs(): Partial<T> {
    return pick(this.data, this.requireInputKeys());
  }

  labels(): Partial<T> {
    const inputs = new Set(this.requireInputKeys());
    return pick(
      this.data,
      Object.keys(this.data).filter((k) => !inputs.has(k)),
    );
  }

  with(patch: Partial<T>): Example<T> {
    return new Example({ ...this.data, ...patch } as T, this.inputKeys);
  }

  toJSON(): T {
    return { ...this.data };
  }

  private requireInputKeys(): readonly string[] {
    if (!this.inputKeys) throw new Error('Example has no input keys; call example.withInputs("question", ...) first');
    return this.inputKeys;
  }
}

function pick<T extends object>(data: Readonly<T>, keys: readonly string[]): Partial<T> {
  const out: Data = {};
  for (const key of keys) if (key in data) out[key] = (data as Data)[key];
  return out as Partial<T>;
}

/** Reads the record behind an Example or returns a plain object as is. */
export function exampleData(example: Example<object> | Data): Data {
  return example instanceof Example ? (example.data as Data) : example;
}

/** What a program receives for an example: an Example's inputs (once `withInputs` was called), else the whole record. */
export function exampleInputs(example: Example<object> | Data): Data {
  return example instanceof Example && example.inputKeys ? (example.inputs() as Data) : exampleData(example);
}
