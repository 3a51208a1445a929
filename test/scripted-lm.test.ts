import { ScriptedLM, ScriptedLMError } from 'tsdspy';
import { describe, expect, it } from 'vitest';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('ScriptedLM', () => {
  it('replies from a list in order and records requests', async () => {
    const lm = new ScriptedLM(['one', ['two-a', 'two-b']]);
    expect((await lm.call(ask('a'))).completions.map((c) => c.text)).toEqual(['one']);
    expect((await lm.call(ask('b'))).completions.map((c) => c.text)).toEqual(['two-a', 'two-b']);
    expect(lm.requests.map((r) => r.messages[0]?.content)).toEqual(['a', 'b']);
    await expect(lm.call(ask('c'))).rejects.toThrow(/ran out of replies: call #3 but only 2/);
  });

  it('cycles when asked to', async () => {
    const lm = new ScriptedLM(['x', 'y'], { cycle: true });
    const texts = [];
    for (let i = 0; i < 5; i++) texts.push((await lm.call(ask(''))).completions[0]?.text);
    expect(texts).toEqual(['x', 'y', 'x', 'y', 'x']);
  });

  it('replies with a function of the request', async () => {
    const lm = new ScriptedLM((request, index) => `${index}:${request.messages[0]?.content.toUpperCase()}`);
    expect((await lm.call(ask('hi'))).completions[0]?.text).toBe('0:HI');
    expect((await lm.call(ask('yo'))).completions[0]?.text).toBe('1:YO');
  });

  it('replies from a map of matchers, first match wins', async () => {
    const lm = new ScriptedLM(
      new Map<string | RegExp | ((r: { messages: { content: string }[] }) => boolean), string | (() => string)>([
        ['weather', 'sunny'],
        [/\d+/, 'a number'],
        [(r) => r.messages.length > 0, () => 'anything'],
      ]),
    );
    expect((await lm.call(ask('weather 42'))).completions[0]?.text).toBe('sunny');
    expect((await lm.call(ask('42'))).completions[0]?.text).toBe('a number');
    expect((await lm.call(ask('hello'))).completions[0]?.text).toBe('anything');
    const strict = new ScriptedLM(new Map([['only', 'x']]));
    await expect(strict.call(ask('other'))).rejects.toBeInstanceOf(ScriptedLMError);
  });

  it('reports usage and honours an aborted signal', async () => {
    const lm = new ScriptedLM(['12345678'], { cycle: true });
    const response = await lm.call(ask('abcd'));
    expect(response.usage).toEqual({ inputTokens: 1, outputTokens: 2 });
    const controller = new AbortController();
    controller.abort();
    await expect(lm.call({ ...ask('x'), signal: controller.signal })).rejects.toThrow();
  });
});
