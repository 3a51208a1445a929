/** How a thrown error is recorded for an example: `Name: message`, and the stack when asked for. */
export function describeFailure(error: unknown, withStack: boolean): { error: string; stack?: string } {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  return { error: message, ...(withStack && stack ? { stack } : {}) };
}
