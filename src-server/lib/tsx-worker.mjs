// The entry of a worker thread started from the TypeScript sources (tests, an
// edited checkout: bin/graphistry-admin.js runs them through tsx). Node 20
// passes no module loader on to a worker, so the worker registers tsx itself
// before importing its real module, named in workerData.entry. The prebuilt
// bundle (scripts/build-server.js) starts its workers' own .js entries instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
