import { inspect } from 'node:util';
import { TsdspyError } from '../errors/index.js';
import type { Message, Usage } from '../lm/types.js';
import type { Signature } from '../signature/signature.js';

export interface InvalidField {
  field: string;
  /** The text the LM wrote for the field. */
  text: string;
  message: string;
}

/** An LM reply that does not contain every required output field in a valid form. Never silently empty. */
export class AdapterParseError extends TsdspyError {
  readonly signature: Signature<object, object>;
  readonly rawReply: string;
  readonly missing: readonly string[];
  readonly invalid: readonly InvalidField[];
  readonly adapter: string;
  /** The prompt that produced the reply, when known. */
  messages?: Message[];
  /** Tokens spent on the failed call, when known. */
  usage?: Usage;

  constructor(args: {
    adapter: string;
    signature: Signature<object, object>;
    rawReply: string;
    missing?: readonly string[];
    invalid?: readonly InvalidField[];
    reason?: string;
    cause?: unknown;
  }) {
    const missing = args.missing ?? [];
    const invalid = args.invalid ?? [];
    const problems = [
      ...(args.reason ? [args.reason] : []),
      ...(missing.length ? [`missing fields: ${missing.join(', ')}`] : []),
      ...invalid.map((i) => `field "${i.field}": ${i.message}`),
    ];
    const excerpt = args.rawReply.length > 500 ? `${args.rawReply.slice(0, 500)}…` : args.rawReply;
    super(
      `${args.adapter} could not parse the LM reply for signature "${args.signature.shape}": ${problems.join('; ')}.\nReply was:\n${excerpt}`,
      args.cause === undefined ? undefined : { cause: args.cause },
    );
    this.adapter = args.adapter;
    this.signature = args.signature;
    this.rawReply = args.rawReply;
    this.missing = missing;
    this.invalid = invalid;
  }

  /**
   * An uncaught parse error prints its message (signature shape, missing fields, a trimmed reply) and stack,
   * not its properties: the signature holds zod schemas whose dump runs to pages.
   */
  [inspect.custom](): string {
    return this.stack ?? `${this.name}: ${this.message}`;
  }
}
