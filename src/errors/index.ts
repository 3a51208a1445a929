/** Base class of every error tsdspy throws on purpose, so callers can catch ours and nothing else. */
export class TsdspyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A signature string or object that cannot be understood. `column` is 1-based. */
export class SignatureError extends TsdspyError {
  constructor(
    message: string,
    readonly token?: string,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** A saved program state that does not fit the program it is loaded into. */
export class StateMismatchError extends TsdspyError {}

/** A state document that is not a valid tsdspy program file. */
export class InvalidStateError extends TsdspyError {}

/** No language model was given to a predictor, in `configure`, or in `withSettings`. */
export class LMNotConfiguredError extends TsdspyError {
  constructor(predictorName: string) {
    super(
      `No language model for predictor "${predictorName}". Call configure({ lm }) once, wrap the call in withSettings({ lm }, fn), or pass { lm } to the predictor.`,
    );
  }
}

/** A ScriptedLM was asked for more replies than it was given, or no matcher fit the request. */
export class ScriptedLMError extends TsdspyError {}

/** Inputs given to a predictor do not match its signature. */
export class InputValidationError extends TsdspyError {}
