import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether something accepts TCP connections at the endpoint's host and port. */
export function acceptsConnections(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until nothing listens at the endpoint any more; false if something still does after `timeoutMs`. */
export async function closesWithin(endpoint: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await acceptsConnections(endpoint)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** A port held by a plain TCP server on 127.0.0.1, as another program would hold it. */
export async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { port, server } = await occupyPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The tests' own Python, run without any site-packages (-S) or PYTHON* variables (-I): the standard library only,
 * so moto cannot be imported wherever it is installed. A real interpreter, as on a machine without moto.
 */
export async function pythonWithoutMoto(): Promise<{
  python: string;
  remove: () => Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), 'python-without-moto-'));
  const python = join(directory, 'python3');
  await writeFile(python, `#!/bin/sh\nexec ${process.env.PYTHON ?? 'python3'} -I -S "$@"\n`);
  await chmod(python, 0o755);
  return { python, remove: () => rm(directory, { recursive: true, force: true }) };
}
