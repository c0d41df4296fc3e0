import { Observable } from 'rxjs';
import { SPAN_ATTRIBUTES } from './span-attributes.js';
import { NO_TRACING, type OperationSpanOptions, type Tracing } from './tracing.js';

/**
 * `source` read in a span from subscription to its end: complete, error, or unsubscribe (outcome `cancelled`), with
 * the number of values it gave. Without tracing, `source` itself.
 */
export function tracedObservable<T>(
  tracing: Tracing,
  name: string,
  options: OperationSpanOptions,
  source: Observable<T>,
): Observable<T> {
  if (tracing === NO_TRACING) return source;
  return new Observable<T>((subscriber) => {
    const started = tracing.startSpan(name, options);
    let count = 0;
    let ended = false;
    const finish = (end: () => void) => {
      ended = true;
      started.span.setAttributes({ [SPAN_ATTRIBUTES.eventCount]: count });
      end();
    };
    const subscription = started.run(() =>
      source.subscribe({
        next: (value) => {
          count++;
          subscriber.next(value);
        },
        error: (error: unknown) => {
          finish(() => started.fail(error));
          subscriber.error(error);
        },
        complete: () => {
          finish(() => started.end());
          subscriber.complete();
        },
      }),
    );
    return () => {
      if (!ended) finish(() => started.end('cancelled'));
      subscription.unsubscribe();
    };
  });
}
