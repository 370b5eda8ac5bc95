// Worker-thread entry: holds the one real Engine and serves the proxy in remoteEngine.ts.
// Reading and every model call run here, so the thread that owns the UI (VS Code's extension
// host, shared with every other extension) never waits on onnxruntime.
import { parentPort } from 'node:worker_threads';
import type { AnswerEvent, Engine, Logger } from '../api';
import { openEngine } from '../engine';
import { toWireError, type Call, type CallResult, type FromWorker, type StateSnapshot, type ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('engineWorker.js runs only as a worker thread.');

let engine: Engine | undefined;
const controllers = new Map<number, AbortController>();

function post(message: FromWorker): void {
  port!.postMessage(message);
}

const logger: Logger = {
  info: (message) => post({ type: 'log', level: 'info', message }),
  warn: (message) => post({ type: 'log', level: 'warn', message }),
  error: (message) => post({ type: 'log', level: 'error', message }),
  debug: (message) => post({ type: 'log', level: 'debug', message }),
};

function state(): StateSnapshot {
  return { status: engine!.status(), isReading: engine!.isReading };
}

async function run(id: number, call: Call, signal: AbortSignal): Promise<CallResult> {
  const e = engine!;
  const onEvent = (event: AnswerEvent): void => post({ type: 'event', id, event });
  switch (call.method) {
    case 'read':
      return e.read({ signal, onProgress: (progress) => post({ type: 'progress', id, progress }) });
    case 'ask':
      return e.ask(call.question, { ...call.options, signal, onEvent });
    case 'summarize':
      return e.summarize(call.target, { ...call.options, signal, onEvent });
    case 'explain':
      return e.explain(call.query, { ...call.options, signal, onEvent });
    case 'forget':
      await e.forget();
      return undefined;
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'open':
      openEngine({ ...message.options, logger }).then(
        (opened) => { engine = opened; post({ type: 'opened', state: state() }); },
        (error: unknown) => post({ type: 'openFailed', error: toWireError(error) }),
      );
      return;
    case 'call': {
      const controller = new AbortController();
      controllers.set(message.id, controller);
      run(message.id, message.call, controller.signal).then(
        (value) => post({ type: 'result', id: message.id, value, state: state() }),
        (error: unknown) => post({ type: 'error', id: message.id, error: toWireError(error), state: state() }),
      ).finally(() => controllers.delete(message.id));
      return;
    }
    case 'cancel':
      controllers.get(message.id)?.abort();
      return;
    case 'pause':
      engine?.pause();
      if (engine) post({ type: 'state', state: state() });
      return;
    case 'resume':
      engine?.resume();
      if (engine) post({ type: 'state', state: state() });
      return;
    case 'notifyChanged':
      engine?.notifyChanged(message.paths);
      return;
    case 'dispose':
      for (const c of controllers.values()) c.abort();
      void (engine?.dispose() ?? Promise.resolve()).finally(() => post({ type: 'disposed' }));
      return;
  }
});
