import { configure, logger, resetSettings, withSettings } from 'tsdspy';
import { afterEach, describe, expect, it, vi } from 'vitest';

function captureStderr(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

describe('logger', () => {
  afterEach(() => {
    resetSettings();
    vi.unstubAllEnvs();
  });

  it('writes warnings to stderr by default and hides info', () => {
    const cap = captureStderr();
    logger.warn('three examples failed');
    logger.info('not shown');
    cap.restore();
    expect(cap.lines).toEqual(['tsdspy warn: three examples failed\n']);
  });

  it('follows configure, withSettings and TSDSPY_LOG_LEVEL, in that order', () => {
    vi.stubEnv('TSDSPY_LOG_LEVEL', 'debug');
    const cap = captureStderr();
    logger.debug('from env');
    configure({ logLevel: 'error' });
    logger.warn('muted by configure');
    withSettings({ logLevel: 'silent' }, () => logger.error('muted by scope'));
    logger.error('shown');
    cap.restore();
    expect(cap.lines).toEqual(['tsdspy debug: from env\n', 'tsdspy error: shown\n']);
  });
});
