import { vi } from 'vitest';

/** Records what is written to stderr (the logger's output) until `restore()`. */
export function captureStderr(): { lines: string[]; text: () => string; restore: () => void } {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return { lines, text: () => lines.join(''), restore: () => spy.mockRestore() };
}
