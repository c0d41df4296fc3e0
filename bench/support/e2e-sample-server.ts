import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../sample/app.module.js';

export interface SampleServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

export interface SampleTables {
  readonly eventsTable: string;
  readonly viewsTable: string;
  readonly leaseTable: string;
}

/**
 * The sample bank-account app as it runs in production, an HTTP server on 127.0.0.1 (a free port), on the given
 * endpoint and tables, its projections runner included. The app reads them from the environment while it starts;
 * the environment is restored after.
 */
export async function startSampleServer(
  endpoint: string,
  { eventsTable, viewsTable, leaseTable }: SampleTables,
): Promise<SampleServer> {
  const app = await withEnvironment(
    {
      DYNAMODB_ENDPOINT: endpoint,
      EVENTS_TABLE: eventsTable,
      VIEWS_TABLE: viewsTable,
      LEASE_TABLE: leaseTable,
    },
    async () => {
      const app = await NestFactory.create(AppModule, { logger: false, rawBody: true });
      try {
        await app.listen(0, '127.0.0.1');
      } catch (error) {
        await app.close();
        throw error;
      }
      return app;
    },
  );
  return { url: await app.getUrl(), close: () => app.close() };
}

async function withEnvironment<T>(
  variables: Readonly<Record<string, string>>,
  work: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
