import { FRAME_ENCODER_SOURCE } from './frames.js';

/**
 * Source of a pooled sandbox worker (run with `-e`, so it needs no file-system access). It reads JSON lines from the
 * parent on stdin and answers with length-prefixed frames on fd 3 (stdout and stderr are only chatter, drained and
 * capped by the parent). Messages: `init` (the tsdspy runtime bundle), `load` (the one program source this worker
 * serves), `call` (run it on inputs) and `lm-response` (answers to its `lm-request`s: every LM call goes to the parent,
 * which holds the keys). Every call carries a nonce from the parent; replies and LM requests repeat it, so the parent
 * can tell a late LM request of a finished call from a live one.
 */
export const WORKER_SOURCE = String.raw`
import readline from 'node:readline';
import vm from 'node:vm';
import fs from 'node:fs';
// The worker's own references, taken before any program runs: a program that patches globals breaks only itself.
const { stringify, parse } = JSON;
${FRAME_ENCODER_SOURCE}
const frameOut = (() => {
  const writeSync = fs.writeSync;
  return (message, text) => {
    const frame = encodeFrame(message, text);
    for (let written = 0; written < frame.length; ) {
      try {
        written += writeSync(3, frame, written, frame.length - written);
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
      }
    }
  };
})();
let runtime;
let program;
let programKey;
const pendingLM = new Map();
let nextLM = 0;

function evaluateCommonJS(code, filename, requireFn) {
  const module = { exports: {} };
  const wrapper = vm.runInThisContext('(function (exports, require, module, __filename, __dirname) {' + code + '\n})', { filename });
  wrapper(module.exports, requireFn, module, filename, '/sandbox');
  return module.exports;
}

const builtin = (name) => {
  const id = name.startsWith('node:') ? name.slice(5) : name;
  return process.getBuiltinModule ? process.getBuiltinModule('node:' + id) : undefined;
};

/** One proxy LM per call, bound to that call's nonce: a request made after the call returned is refused by the parent. */
function proxyLM(nonce) {
  return {
    model: 'sandbox/proxy',
    capabilities: {},
    call(request) {
      const id = ++nextLM;
      const { signal, ...rest } = request;
      frameOut({ type: 'lm-request', nonce, lmId: id, request: rest });
      return new Promise((resolve, reject) => pendingLM.set(id, { resolve, reject }));
    },
  };
}

function describeError(error) {
  const e = error && typeof error === 'object' ? error : { message: String(error) };
  return { name: String(e.name ?? 'Error'), message: String(e.message ?? e), stack: String(e.stack ?? '') };
}

async function loadProgram(message) {
  if (programKey !== undefined && programKey !== message.key) throw new Error('This sandbox worker already serves another program');
  const exports = evaluateCommonJS(message.code, message.filename, (name) => {
    if (name === 'tsdspy') return runtime;
    throw new Error('Programs may only import from "tsdspy", not "' + name + '"');
  });
  let loaded = exports.default ?? exports.program;
  if (typeof loaded === 'function' && !(loaded.prototype && typeof loaded.prototype.forward === 'function')) loaded = await loaded();
  else if (typeof loaded === 'function') loaded = new loaded();
  if (!loaded || typeof loaded.call !== 'function' || typeof loaded.forward !== 'function') {
    throw new Error('The program source must default-export a Module instance or a factory returning one');
  }
  program = loaded;
  programKey = message.key;
}

async function handle(message) {
  if (message.type === 'lm-response') {
    const pending = pendingLM.get(message.lmId);
    pendingLM.delete(message.lmId);
    if (!pending) return;
    if (message.error) pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    else pending.resolve(message.response);
    return;
  }
  if (message.type === 'init') {
    try {
      runtime = evaluateCommonJS(message.code, 'tsdspy-runtime.js', (name) => {
        const module = builtin(name);
        if (!module) throw new Error('The sandbox runtime cannot load ' + name);
        return module;
      });
      frameOut({ type: 'ready' });
    } catch (error) {
      frameOut({ type: 'init-failed', error: describeError(error) });
    }
    return;
  }
  if (message.type === 'load') {
    try {
      await loadProgram(message);
      frameOut({ type: 'result', nonce: message.nonce, ok: true, value: null });
    } catch (error) {
      frameOut({ type: 'result', nonce: message.nonce, ok: false, error: describeError(error) });
    }
    return;
  }
  if (message.type === 'call') {
    const nonce = message.nonce;
    if (!program || programKey !== message.key) return frameOut({ type: 'result', nonce, ok: false, error: { name: 'Error', message: 'program not loaded', stack: '' } });
    const run = await runtime.withSettings({ lm: proxyLM(nonce) }, () => runtime.captureTraceSettled(() => program.call(message.inputs)));
    const trace = run.trace.map((t) => ({
      predictorName: t.predictorName,
      inputs: t.inputs,
      outputs: t.outputs,
      rawCompletion: t.rawCompletion,
      ...(t.error ? { error: String(t.error.message ?? t.error) } : {}),
    }));
    const plain = (value) => (value && typeof value.toJSON === 'function' ? value.toJSON() : value);
    let body;
    if (run.error !== undefined) body = { type: 'result', nonce, ok: false, error: describeError(run.error), trace };
    else body = { type: 'result', nonce, ok: true, value: plain(run.result), trace };
    let text;
    try {
      text = stringify(body);
    } catch (error) {
      return frameOut({ type: 'result', nonce, ok: false, error: { name: 'TypeError', message: 'The result is not JSON-serialisable: ' + describeError(error).message, stack: '' }, trace: [] });
    }
    if (text.length > message.maxOutputChars) {
      return frameOut({ type: 'result', nonce, ok: false, error: { name: 'OutputLimitError', message: 'The result exceeded ' + message.maxOutputChars + ' characters', stack: '' }, trace: [] });
    }
    frameOut(undefined, text);
  }
}

// The parent's end of stdin closing means the parent is gone: never outlive it.
process.stdin.on('end', () => process.exit(0));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  handle(parse(line)).catch((error) => frameOut({ type: 'fatal', error: describeError(error) }));
});
`;
