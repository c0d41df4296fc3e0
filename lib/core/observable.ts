// The stores build their Observables from these two classes alone. rxjs's own index loads every operator, scheduler
// and helper with them: 30 to 50 ms more of a cold start (npm run bench, section importTimes: the core with and
// without rxjs), where these files load in about 10. rxjs 7 exports them through the package's "./internal/*" entry,
// to Node and to bundlers under the same conditions as its index, so they are the very classes `import { Observable }
// from 'rxjs'` gives: instanceof and every operator work across both.
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
