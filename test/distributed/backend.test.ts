import { Redis } from 'ioredis';
import { Evaluate, GEPA, optimizeAnything, type RedisBackend, redisBackend, type SideInfo } from 'tsdspy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluator } from '../fixtures/distributed/anything-module.js';
import { metric as moduleMetric, program as moduleProgram } from '../fixtures/distributed/program-module.js';
import { factReflectionLM, keyData } from '../support/program-task.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { WORD_MODULE, wordData, wordOptions } from '../support/word-task.js';
import { startWorker, type WorkerProcess } from '../support/workers.js';

const ANYTHING = WORD_MODULE;
const PROGRAM = 'test/fixtures/distributed/program-module.ts';

let redis: RedisServer;
let workers: WorkerProcess[] = [];
const backend = (module: string): RedisBackend => redisBackend({ url: redis.url, queue: 'main', module, concurrency: 8 });

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all(
    ['w1', 'w2'].map((id) => startWorker({ url: redis.url, queue: 'main', id, extra: ['--concurrency', '2'] })),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
});

const anythingOptions = wordOptions;

describe('redisBackend with real workers', () => {
  it('optimizeAnything: the same run as in-process, with every metric call counted once', async () => {
    const local = await optimizeAnything({ ...anythingOptions, evaluator });
    const remote = await optimizeAnything({ ...anythingOptions, backend: backend(ANYTHING) });
    expect(remote.bestCandidate).toEqual(local.bestCandidate);
    expect(remote.candidates).toEqual(local.candidates);
    expect(remote.gepa.valAggregateScores).toEqual(local.gepa.valAggregateScores);
    expect(remote.metadata.totalMetricCalls).toBe(local.metadata.totalMetricCalls);
    expect(remote.bestScore).toBeGreaterThan(remote.gepa.valAggregateScores[0] as number);
  });

  it('an evaluator that throws gives the in-process failure record, with the worker id', async () => {
    const dataset = [...wordData(2), { id: 99, words: ['boom'] }];
    const options = { ...anythingOptions, dataset, maxMetricCalls: 3 };
    const localThrowing = evaluator;
    const local = await optimizeAnything({ ...options, evaluator: localThrowing, trackBestOutputs: true });
    const remote = await optimizeAnything({ ...options, backend: backend(ANYTHING), trackBestOutputs: true });
    expect(remote.gepa.valAggregateScores).toEqual(local.gepa.valAggregateScores);
    const [inProcess, distributed] = [local, remote].map((r) => r.gepa.bestOutputsValset?.[2]?.[0]?.output as SideInfo);
    expect(distributed?.error).toBe(inProcess?.error);
    expect(distributed?.error).toMatch(/cannot score example 99/);
    expect(['w1', 'w2']).toContain(distributed?.workerId);
  });

  it('Evaluate: the module program and metric run on workers; run(program) ships the program state', async () => {
    const devset = [...keyData(4), { key: 'boom', code: 'x', answer: 'y' }];
    const remote = await new Evaluate({ devset, backend: backend(PROGRAM), displayProgress: false }).run();
    const local = await new Evaluate({ devset, metric: moduleMetric, displayProgress: false }).run(moduleProgram);
    expect(remote.results.map((r) => r.score)).toEqual(local.results.map((r) => r.score));
    const answers = (r: typeof remote) => r.results.map((x) => (x.prediction as { answer?: string } | undefined)?.answer);
    expect(answers(remote)).toEqual(answers(local));
    const failed = remote.results[4];
    expect(failed?.error).toBe(local.results[4]?.error);
    expect(failed?.error).toMatch(/metric cannot score boom/);
    expect(['w1', 'w2']).toContain(failed?.workerId);

    // A program that knows the facts (in its instructions) scores higher only if its state reached the workers.
    const taught = moduleProgram.clone();
    const facts = keyData(4).map((e) => `${e.key} => ${e.code}`);
    taught.setParameters({ lookup: `Look up the code.\n${facts.join('\n')}` });
    const plain = await new Evaluate({ devset: keyData(4), backend: backend(PROGRAM), displayProgress: false }).run();
    const better = await new Evaluate({ devset: keyData(4), backend: backend(PROGRAM), displayProgress: false }).run(taught);
    expect(better.score).toBeGreaterThan(plain.score);
  });

  it('GEPA.compile: the candidate texts travel with each job; same program as in-process', async () => {
    const options = { metric: moduleMetric, reflectionLM: factReflectionLM, maxMetricCalls: 60, seed: 2 };
    const trainset = keyData(4);
    const valset = keyData(4);
    const local = await new GEPA(options).compile(moduleProgram, trainset, valset);
    const remote = await new GEPA({ ...options, backend: backend(PROGRAM) }).compile(moduleProgram, trainset, valset);
    expect(remote.namedParameters()).toEqual(local.namedParameters());
    expect(remote.detailedResults?.valAggregateScores).toEqual(local.detailedResults?.valAggregateScores);
    expect(remote.detailedResults?.totalMetricCalls).toBe(local.detailedResults?.totalMetricCalls);
    expect(remote.detailedResults?.bestIdx).toBeGreaterThan(0);
  });

  it('keeps the Redis password and the coordinator environment out of every job', async () => {
    process.env.TSDSPY_TEST_SECRET = 'sk-should-never-travel';
    try {
      await optimizeAnything({ ...anythingOptions, maxMetricCalls: 12, backend: backend(ANYTHING) });
    } finally {
      delete process.env.TSDSPY_TEST_SECRET;
    }
    const client = new Redis(redis.url);
    const keys = await client.keys('tsdspy:main:*');
    let stored = '';
    for (const key of keys) {
      if ((await client.type(key)) === 'hash') stored += JSON.stringify(await client.hgetall(key));
    }
    await client.quit();
    expect(stored).toContain('gepa.evaluate');
    expect(stored).not.toContain(redis.password);
    expect(stored).not.toContain('sk-should-never-travel');
  });
});
