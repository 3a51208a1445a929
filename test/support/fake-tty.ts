/** A terminal stream that records what is written to it, and runs `fn` with CI unset so progress bars draw. */
export async function withFakeTTY(fn: (stream: NodeJS.WriteStream) => unknown): Promise<string> {
  const written: string[] = [];
  const stream = Object.assign(Object.create(process.stderr), {
    isTTY: true,
    columns: 100,
    write: (chunk: string) => written.push(String(chunk)) > 0,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  }) as NodeJS.WriteStream;
  const savedCI = process.env.CI;
  delete process.env.CI;
  try {
    await fn(stream);
  } finally {
    if (savedCI !== undefined) process.env.CI = savedCI;
  }
  return written.join('');
}
