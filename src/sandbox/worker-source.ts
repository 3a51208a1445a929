/**
 * Source of a pooled sandbox worker (run with `-e`, so it needs no file-system access). It speaks JSON lines on
 * stdin/stdout: `init` (the tsdspy runtime bundle), `load` (a program bundle), `call` (run the program on inputs),
 * and `lm-response` (answers to its `lm-request`s: every LM call goes to the parent, which holds the keys).
 */
export const WORKER_SOURCE = String.raw`
import readline from 'node:readline';
import vm from 'node:vm';

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
let runtime;
const programs = new Map();
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

const proxyLM = {
  model: 'sandbox/proxy',
  capabilities: {},
  call(request) {
    const id = ++nextLM;
    const { signal, ...rest } = request;
    send({ type: 'lm-request', id, request: rest });
    return new Promise((resolve, reject) => pendingLM.set(id, { resolve, reject }));
  },
};

function describeError(error) {
  const e = error && typeof error === 'object' ? error : { message: String(error) };
  return { name: String(e.name ?? 'Error'), message: String(e.message ?? e), stack: String(e.stack ?? '') };
}

async function handle(message) {
  if (message.type === 'lm-response') {
    const pending = pendingLM.get(message.id);
    pendingLM.delete(message.id);
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
      send({ type: 'ready', id: message.id });
    } catch (error) {
      send({ type: 'result', id: message.id, ok: false, error: describeError(error) });
    }
    return;
  }
  if (message.type === 'load') {
    try {
      const exports = evaluateCommonJS(message.code, message.filename, (name) => {
        if (name === 'tsdspy') return runtime;
        throw new Error('Programs may only import from "tsdspy", not "' + name + '"');
      });
      let program = exports.default ?? exports.program;
      if (typeof program === 'function' && !(program.prototype && typeof program.prototype.forward === 'function')) program = await program();
      else if (typeof program === 'function') program = new program();
      if (!program || typeof program.call !== 'function' || typeof program.forward !== 'function') {
        throw new Error('The program source must default-export a Module instance or a factory returning one');
      }
      programs.set(message.key, program);
      send({ type: 'result', id: message.id, ok: true, value: { predictors: program.namedPredictors().map(([n]) => n) } });
    } catch (error) {
      send({ type: 'result', id: message.id, ok: false, error: describeError(error) });
    }
    return;
  }
  if (message.type === 'call') {
    const program = programs.get(message.key);
    if (!program) return send({ type: 'result', id: message.id, ok: false, error: { name: 'Error', message: 'program not loaded', stack: '' } });
    const run = await runtime.withSettings({ lm: proxyLM }, () => runtime.captureTraceSettled(() => program.call(message.inputs)));
    const trace = run.trace.map((t) => ({
      predictorName: t.predictorName,
      inputs: t.inputs,
      outputs: t.outputs,
      rawCompletion: t.rawCompletion,
      ...(t.error ? { error: String(t.error.message ?? t.error) } : {}),
    }));
    const plain = (value) => (value && typeof value.toJSON === 'function' ? value.toJSON() : value);
    let body;
    if (run.error !== undefined) body = { type: 'result', id: message.id, ok: false, error: describeError(run.error), trace };
    else body = { type: 'result', id: message.id, ok: true, value: plain(run.result), trace };
    const text = JSON.stringify(body);
    if (text.length > message.maxOutputChars) {
      return send({ type: 'result', id: message.id, ok: false, error: { name: 'OutputLimitError', message: 'The result exceeded ' + message.maxOutputChars + ' characters', stack: '' }, trace: [] });
    }
    process.stdout.write(text + '\n');
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  handle(JSON.parse(line)).catch((error) => send({ type: 'fatal', error: describeError(error) }));
});
`;
