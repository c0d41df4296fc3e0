import { randomUUID } from 'node:crypto';
import { createLeaseTable, createViewTable } from '../../lib/projections/index.js';
import { createTestTable, testClient } from './dynamodb.js';

export interface ProjectionTestTables {
  readonly eventsTable: string;
  readonly viewsTable: string;
  readonly leaseTable: string;
}

/** A fresh events table, views table and lease table on the test endpoint: what a projections app needs. */
export async function createProjectionTestTables(): Promise<ProjectionTestTables> {
  const client = testClient();
  try {
    const eventsTable = await createTestTable(client);
    const viewsTable = `views-test-${randomUUID()}`;
    const leaseTable = `leases-test-${randomUUID()}`;
    await createViewTable(client, viewsTable);
    await createLeaseTable(client, leaseTable);
    return { eventsTable, viewsTable, leaseTable };
  } finally {
    client.destroy();
  }
}
