import { checkNewTask, checkTaskFilter, checkTaskProcess, taskTaken } from '../record-checks.js';
import type { ListTasksFilter, TaskStore } from '../stores.js';
import { TERMINAL_TASK_STATUSES, type NewTaskRecord, type TaskFinish, type TaskOwner, type TaskProcess, type TaskRecord } from '../task-record.js';
import { jsonCopy, type MemoryState } from './memory-state.js';

interface Entry {
  record: TaskRecord;
  readonly request: string;
}

/** Background tasks in a map; the same order as the SQLite store. */
export class MemoryTaskStore implements TaskStore {
  readonly #state: MemoryState;
  readonly #entries = new Map<string, Entry>();

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async insert(task: NewTaskRecord): Promise<TaskRecord> {
    const values = checkNewTask(task);
    this.#state.check('store a task');
    if (this.#entries.has(values.id)) throw taskTaken(values.id);
    const record: TaskRecord = Object.freeze({
      id: values.id,
      status: 'queued',
      prompt: values.prompt,
      cwd: values.cwd,
      sessionId: values.sessionId,
      createdAt: values.createdAt,
      startedAt: null,
      finishedAt: null,
      result: null,
      structuredOutput: undefined,
      costUsd: 0,
      numTurns: 0,
      error: null,
      pid: null,
      processStartTime: null,
      bootId: null,
      ownerPid: values.ownerPid,
      ownerStartTime: values.ownerStartTime,
      logPath: values.logPath,
      restartedFrom: values.restartedFrom,
    });
    this.#entries.set(values.id, { record, request: values.request });
    return record;
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    this.#state.check('read a task');
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : copyOf(entry.record);
  }

  async list(filter: ListTasksFilter): Promise<TaskRecord[]> {
    const { status, limit, offset } = checkTaskFilter(filter);
    this.#state.check('list tasks');
    return [...this.#entries.values()]
      .map((entry) => entry.record)
      .filter((task) => status === undefined || task.status === status)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(offset, offset + limit)
      .map(copyOf);
  }

  async listUnfinished(): Promise<TaskRecord[]> {
    this.#state.check('list unfinished tasks');
    return [...this.#entries.values()].map((entry) => entry.record).filter((task) => task.status === 'queued' || task.status === 'running').map(copyOf);
  }

  async requestOf(id: string): Promise<unknown> {
    this.#state.check('read a task request');
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : (JSON.parse(entry.request) as unknown);
  }

  async markStarted(id: string, at: number, process: TaskProcess | null): Promise<void> {
    const started = checkTaskProcess(process);
    this.#state.check('mark a task started');
    this.#update(id, (task) =>
      task.status === 'queued' ? { status: 'running', startedAt: at, pid: started?.pid ?? null, processStartTime: started?.startTime ?? null, bootId: started?.bootId ?? null } : {},
    );
  }

  async claim(id: string, from: TaskOwner, to: TaskOwner): Promise<boolean> {
    this.#state.check('claim a task');
    const task = this.#entries.get(id)?.record;
    if (task === undefined || TERMINAL_TASK_STATUSES.includes(task.status) || task.ownerPid !== from.pid || task.ownerStartTime !== from.startTime) return false;
    this.#update(id, () => ({ ownerPid: to.pid, ownerStartTime: to.startTime }));
    return true;
  }

  async noteSession(id: string, sessionId: string): Promise<void> {
    this.#state.check('note the session of a task');
    this.#update(id, (task) => (task.sessionId === null ? { sessionId } : {}));
  }

  async finish(id: string, finish: TaskFinish): Promise<void> {
    this.#state.check('finish a task');
    this.#update(id, (task) => ({
      status: finish.status,
      finishedAt: finish.at,
      result: finish.result ?? task.result,
      structuredOutput: finish.structuredOutput === undefined ? task.structuredOutput : jsonCopy(finish.structuredOutput),
      costUsd: finish.costUsd ?? task.costUsd,
      numTurns: finish.numTurns ?? task.numTurns,
      error: finish.error,
      sessionId: finish.sessionId ?? task.sessionId,
      pid: null,
      processStartTime: null,
    }));
  }

  #update(id: string, change: (task: TaskRecord) => Partial<TaskRecord>): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) entry.record = Object.freeze({ ...entry.record, ...change(entry.record) });
  }
}

/** A record as a read returns it: its structured output a copy, as if read back from a database. */
function copyOf(record: TaskRecord): TaskRecord {
  return record.structuredOutput === undefined ? record : Object.freeze({ ...record, structuredOutput: jsonCopy(record.structuredOutput) });
}
