/**
 * A two-predictor program whose steps each need facts they can only learn from their own feedback:
 * `lookup` maps a key to a code, `decode` maps the code to the answer. The scripted task LM knows a mapping only
 * when the predictor's instructions contain the line `x => y`; the metric's per-predictor feedback names the
 * missing fact; the scripted reflection LM copies facts from the feedback into the instructions.
 */
import { ChainOfThought, chatReply, type LMRequest, Module, Predict, ScriptedLM } from 'tsdspy';

export interface KeyExample extends Record<string, unknown> {
  key: string;
  code: string;
  answer: string;
}

export function keyData(n: number, offset = 0): KeyExample[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `key${i + offset}`,
    code: `c${(i + offset) * 3 + 1}`,
    answer: `ans${(i + offset) * 5 + 2}`,
  }));
}

export class KeyProgram extends Module<{ key: string }, { code: string; answer: string }> {
  lookup = new Predict('key -> code');
  decode = new ChainOfThought('code -> answer');

  async forward({ key }: { key: string }) {
    const { code } = await this.lookup.call({ key });
    const { answer } = await this.decode.call({ code });
    return { code, answer };
  }
}

export function instructionsOf(request: LMRequest): string {
  return /your objective is:\n([\s\S]*)$/.exec(request.messages[0]?.content ?? '')?.[1] ?? '';
}

/** The simulated task LM: answers from the facts written in the predictor's instructions, else guesses "unknown". */
export function factTaskLM() {
  return new ScriptedLM((request) => {
    const instructions = instructionsOf(request);
    const last = request.messages.at(-1)?.content ?? '';
    const known = (input: string) => new RegExp(`^${input} => (\\S+)$`, 'm').exec(instructions)?.[1] ?? 'unknown';
    if (last.includes('[[ ## key ## ]]')) {
      const key = /\[\[ ## key ## \]\]\n(\S+)/.exec(last)?.[1] ?? '';
      return chatReply({ code: known(key) });
    }
    const code = /\[\[ ## code ## \]\]\n(\S+)/.exec(last)?.[1] ?? '';
    return chatReply({ reasoning: `decoding ${code}`, answer: known(code) });
  });
}

/** Half a point for the right code, half for the right answer; per-predictor feedback names the missing fact. */
export function keyMetric(calls?: Array<{ predName?: string; predTraceNames?: string[] }>) {
  return (
    example: Record<string, unknown>,
    prediction: { code?: unknown; answer?: unknown },
    ctx?: { predName?: string; predTrace?: Array<{ predictorName: string; outputs: Record<string, unknown> }> },
  ) => {
    calls?.push({
      ...(ctx?.predName ? { predName: ctx.predName } : {}),
      ...(ctx?.predTrace ? { predTraceNames: ctx.predTrace.map((t) => t.predictorName) } : {}),
    });
    const ex = example as KeyExample;
    const score = (prediction.code === ex.code ? 0.5 : 0) + (prediction.answer === ex.answer ? 0.5 : 0);
    if (ctx?.predName === 'lookup') {
      const got = ctx.predTrace?.[0]?.outputs.code;
      return { score, feedback: got === ex.code ? 'lookup was right.' : `lookup was wrong. FACT ${ex.key} => ${ex.code}` };
    }
    if (ctx?.predName === 'decode.predict') {
      return {
        score,
        feedback: prediction.answer === ex.answer ? 'decode was right.' : `decode was wrong. FACT ${ex.code} => ${ex.answer}`,
      };
    }
    return { score, feedback: score === 1 ? 'Correct.' : `Expected code ${ex.code} and answer ${ex.answer}.` };
  };
}

/** Reflection LM that keeps the current instructions and appends every `FACT x => y` from the examples. */
export function factReflectionLM(prompt: string): string {
  const current = /```\n([\s\S]*?)\n```/.exec(prompt)?.[1] ?? '';
  const facts = [...prompt.matchAll(/FACT (\S+) => (\S+)/g)].map((m) => `${m[1]} => ${m[2]}`);
  const lines = [...current.split('\n'), ...facts].filter((line, i, all) => line && all.indexOf(line) === i);
  return `\`\`\`\n${lines.join('\n')}\n\`\`\``;
}
