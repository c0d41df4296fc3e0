/**
 * The sample app as a process of its own, for the crash and restart tests: the sample's AppModule, created as
 * sample/main.ts creates it (with the raw body), on the endpoint and tables the environment names
 * (DYNAMODB_ENDPOINT, EVENTS_TABLE, VIEWS_TABLE, LEASE_TABLE, PROJECTIONS_IDLE_DELAY_MS, read by
 * sample/event-store.config.ts), listening on a free port of 127.0.0.1, and shut down on SIGTERM as sample/main.ts
 * does (the app closed: the runner stopped, its leases released). Prints "listening <url>" once it serves.
 *
 * Run with test/sample/sample-loader.js registered (see sample-server.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../sample/app.module.js';

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], rawBody: true });
await app.listen(0, '127.0.0.1');
const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
process.stdout.write(`listening http://127.0.0.1:${port}\n`);

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
// Orphaned when the test process dies: its end of stdin closes.
process.stdin.on('end', () => process.exit(1)).resume();
