import { TsdspyError } from '../errors/index.js';

/** An embedder that cannot be built or that returned vectors of the wrong number or size. */
export class EmbedderError extends TsdspyError {}

/** A retriever that cannot be built, searched, saved or loaded as asked. */
export class RetrieverError extends TsdspyError {}

/** An optional dependency (LanceDB, the MCP SDK) that is not installed. */
export class MissingDependencyError extends TsdspyError {
  constructor(
    readonly packageName: string,
    feature: string,
  ) {
    super(`${feature} needs the optional package "${packageName}". Install it: npm install ${packageName}`);
  }
}
