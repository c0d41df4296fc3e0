import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const loader = fileURLToPath(new URL('./sample-loader.js', import.meta.url));
const script = fileURLToPath(new URL('./sample-server-process.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** The sample app in a child process (sample-server-process.ts). */
export interface SampleServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM, the sample's graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all, as a crash or an OOM kill. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** What the process wrote to stderr, for failure messages. */
  stderr(): string;
}

const running = new Set<SampleServer>();

/** Starts the sample on `env` over the test's own environment; resolves once it listens. */
export async function startSampleServer(env: Record<string, string>): Promise<SampleServer> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(`file://${loader}`)});`,
      script,
    ],
    // jest's --experimental-vm-modules is not for the child.
    { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`the sample did not start: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const listening = /^listening (\S+)$/m.exec(stdout);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the sample exited (${code}) before listening: ${stderr}`));
    });
  });
  const server: SampleServer = {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      running.delete(server);
      return code;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
      running.delete(server);
    },
    stderr: () => stderr,
  };
  running.add(server);
  return server;
}

/** For afterEach: kills whatever a failed test left running. */
export async function killSampleServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.kill()));
}
