import { join } from 'node:path';
import { RunDirNotFoundError } from '../errors.js';
import type { LMUsage, RunConfig } from '../events.js';
import type { EngineState } from '../state.js';
import { bestIndex } from '../strategies/candidate-selection.js';
import { emptyUsage } from '../usage.js';
import { EVENT_SCHEMA_VERSION } from './event-log.js';
import type { RunDirEvent, RunDirEventOf } from './event-schema.js';
import { EVENTS_FILE } from './files.js';
import { loadCommittedState, requireRunDir } from './load.js';
import { readEventLines } from './read-events.js';
import type { CandidateOrigin, CandidateView, IterationView, MinibatchView, RunDirView } from './view.js';

/**
 * Reads a GEPA run dir into a typed, validated view: config, candidates with lineage and how each was made,
 * every committed iteration, frontier history, errors, metric calls and LM usage. The one reader of run dirs:
 * `tsdspy show/report` and resume go through the same loader. Throws RunDirNotFoundError, RunDirCorruptError or
 * RunDirMismatchError (all TsdspyErrors) with a message naming the file.
 */
export function readRunDir(dir: string): RunDirView {
  requireRunDir(dir);
  const state = loadCommittedState(dir);
  if (!state) throw new RunDirNotFoundError(`No GEPA run in ${dir}: it holds no state yet (has the run started?).`);
  const events = readEventLines(join(dir, EVENTS_FILE));
  const { sessions, groups, finished, config } = groupBySession(events, state.iteration);
  const iterations: IterationView[] = [];
  const origins = new Map<number, { origin: CandidateOrigin; iteration: number }>();
  const frontierHistory: RunDirView['frontierHistory'] = [];
  const errors: RunDirView['errors'] = [];
  const committed: RunDirEvent[] = [];
  const usage = { task: emptyUsage(), reflection: emptyUsage() };
  for (let i = 0; i <= state.iteration; i++) {
    const group = groups.get(i) ?? [];
    committed.push(...group);
    const frontier = lastOf(group, 'frontierUpdated');
    if (frontier) frontierHistory.push({ iteration: i, frontier: frontier.frontier });
    for (const e of group)
      if (e.type === 'error') errors.push({ iteration: i, message: e.message, willContinue: e.willContinue });
    if (i === 0) continue;
    const view = iterationView(i, group);
    iterations.push(view);
    if (view.lm) {
      add(usage.task, view.lm.task);
      add(usage.reflection, view.lm.reflection);
    }
    const origin = originOf(view, group);
    if (origin && view.candidateIdx !== null) origins.set(view.candidateIdx, { origin, iteration: i });
  }
  const bestIdx = bestIndex(state.aggregates);
  return {
    dir,
    schemaVersion: EVENT_SCHEMA_VERSION,
    config,
    valIds: [...state.valIds],
    candidates: state.candidates.map((texts, idx) => candidateView(state, idx, texts, origins.get(idx))),
    iterations,
    bestIdx,
    bestScore: state.aggregates[bestIdx] ?? Number.NaN,
    totalMetricCalls: state.totalMetricCalls,
    maxMetricCalls: config?.maxMetricCalls ?? null,
    finished,
    stopReason: state.stopReason,
    frontier: frontierHistory.at(-1)?.frontier ?? [],
    frontierHistory,
    errors,
    sessions,
    usage,
    events: committed,
    state,
  };
}

/**
 * Splits the log into sessions (one per process that ran the run) and groups events by the iteration they ran in.
 * An iteration that a crash interrupted is run again by the next session: its latest run wins. Iterations after
 * the committed state (interrupted and not yet re-run) are left out.
 */
function groupBySession(events: readonly RunDirEvent[], committedIteration: number) {
  const sessions: RunDirView['sessions'] = [];
  const groups = new Map<number, RunDirEvent[]>();
  let config: RunConfig | null = null;
  let finished = false;
  // Events before a session's first iteration (the seed's evaluation) belong to the iteration it resumed at.
  let key = 0;
  let current: RunDirEvent[] | undefined;
  for (const e of events) {
    if (e.type === 'runStart') {
      sessions.push({ startedAt: e.time, resumed: e.resumed, iteration: e.iteration });
      config ??= (e.config as RunConfig | undefined) ?? null;
      finished = false;
      key = e.iteration;
      current = undefined;
      continue;
    }
    if (e.type === 'runEnd') {
      finished = true;
      continue;
    }
    if (e.type === 'iterationStart') {
      key = e.iteration;
      current = undefined;
    }
    if (!current) {
      const existing = groups.get(key);
      current = e.type === 'iterationStart' || !existing ? [] : existing;
      if (key <= committedIteration) groups.set(key, current);
    }
    current.push(e);
  }
  return { sessions, groups, finished, config };
}

function iterationView(iteration: number, group: readonly RunDirEvent[]): IterationView {
  const end = lastOf(group, 'iterationEnd');
  const proposal = lastOf(group, 'proposal');
  const mergeTry = lastOf(group, 'mergeAttempted');
  const mergeNo = lastOf(group, 'mergeRejected');
  const accepted = lastOf(group, 'candidateAccepted');
  const rejected = lastOf(group, 'candidateRejected');
  const skipped = lastOf(group, 'skippedPerfect');
  const selected = lastOf(group, 'candidateSelected');
  const valset = lastOf(group, 'valsetEvaluated');
  const frontier = lastOf(group, 'frontierUpdated');
  const errors = group.filter((e): e is RunDirEventOf<'error'> => e.type === 'error').map((e) => e.message);
  const isMerge = mergeTry !== undefined && proposal === undefined && selected === undefined;
  const kind: IterationView['kind'] = isMerge
    ? 'merge'
    : skipped
      ? 'skipped'
      : errors.length
        ? 'error'
        : proposal || selected
          ? 'reflection'
          : 'budget';
  return {
    iteration,
    kind,
    parents: isMerge && mergeTry ? [...mergeTry.parents] : selected ? [selected.candidateIdx] : [],
    accepted: accepted !== undefined,
    candidateIdx: accepted?.candidateIdx ?? null,
    proposal: proposal
      ? {
          components: proposal.components,
          texts: proposal.texts,
          proposer: proposal.proposer ?? null,
          reflections: proposal.reflections ?? [],
        }
      : null,
    merge: mergeTry
      ? { parents: mergeTry.parents, ancestor: mergeTry.ancestor, candidate: mergeTry.candidate, reason: mergeNo?.reason ?? null }
      : null,
    minibatch: isMerge ? null : minibatchOf(group),
    reason:
      rejected?.reason ?? mergeNo?.reason ?? (skipped ? 'parent scored perfectly on the minibatch' : null) ?? errors[0] ?? null,
    valScore: valset?.score ?? null,
    frontier: frontier?.frontier ?? null,
    metricCalls: end?.metricCalls ?? null,
    totalMetricCalls: end?.totalMetricCalls ?? null,
    lm: end?.lm ? { task: end.lm.task, reflection: end.lm.reflection } : null,
    durationMs: end?.durationMs ?? null,
    startedAt: group[0]?.time ?? null,
    errors,
  };
}

function minibatchOf(group: readonly RunDirEvent[]): MinibatchView | null {
  const runs = group.filter((e): e is RunDirEventOf<'minibatchEvaluated'> => e.type === 'minibatchEvaluated');
  const parent = runs.find((e) => e.role === 'parent');
  const child = runs.find((e) => e.role === 'child');
  if (!parent && !child) return null;
  return { ids: (parent ?? child)?.ids ?? [], parentScores: parent?.scores ?? null, childScores: child?.scores ?? null };
}

function originOf(view: IterationView, group: readonly RunDirEvent[]): CandidateOrigin | null {
  if (!view.accepted) return null;
  if (view.kind === 'merge' && view.merge) {
    const tried = lastOf(group, 'mergeAttempted');
    const child = group.find(
      (e): e is RunDirEventOf<'minibatchEvaluated'> => e.type === 'minibatchEvaluated' && e.role === 'merge',
    );
    return {
      kind: 'merge',
      iteration: view.iteration,
      parents: view.merge.parents,
      ancestor: view.merge.ancestor,
      ids: tried?.ids ?? child?.ids ?? [],
      parentScores: tried?.parentScores ?? null,
      childScores: child?.scores ?? null,
    };
  }
  return {
    kind: 'reflection',
    iteration: view.iteration,
    parent: view.parents[0] ?? 0,
    components: view.proposal?.components ?? [],
    proposer: view.proposal?.proposer ?? null,
    reflections: view.proposal?.reflections ?? [],
    minibatch: view.minibatch,
  };
}

function candidateView(
  state: EngineState,
  idx: number,
  texts: Record<string, string>,
  made: { origin: CandidateOrigin; iteration: number } | undefined,
): CandidateView {
  const parents = state.parents[idx] as number[];
  const fallback: CandidateOrigin =
    parents.length === 0
      ? { kind: 'seed' }
      : parents.length === 2
        ? {
            kind: 'merge',
            iteration: -1,
            parents: [parents[0], parents[1]] as [number, number],
            ancestor: -1,
            ids: [],
            parentScores: null,
            childScores: null,
          }
        : {
            kind: 'reflection',
            iteration: -1,
            parent: parents[0] as number,
            components: [],
            proposer: null,
            reflections: [],
            minibatch: null,
          };
  return {
    idx,
    texts: { ...texts },
    parents: [...parents],
    origin: made?.origin ?? fallback,
    iteration: made?.iteration ?? (idx === 0 ? 0 : -1),
    valAggregate: state.aggregates[idx] as number,
    valScores: state.valScores[idx] as number[],
    valObjectiveScores: state.valObjectiveScores[idx] ?? null,
    discoveryMetricCalls: state.discoveryEvalCounts[idx] as number,
  };
}

function lastOf<K extends RunDirEvent['type']>(group: readonly RunDirEvent[], type: K): RunDirEventOf<K> | undefined {
  for (let i = group.length - 1; i >= 0; i--) if (group[i]?.type === type) return group[i] as RunDirEventOf<K>;
  return undefined;
}

function add(into: LMUsage, more: LMUsage): void {
  into.calls += more.calls;
  into.inputTokens += more.inputTokens;
  into.outputTokens += more.outputTokens;
  into.cost += more.cost;
}
