/**
 * The console's HTTP server: the single page (index.html, the front end bundled by esbuild when the server
 * starts, its stylesheet) and the JSON API of routes.ts. Node's own http module: one port, no framework.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { CliError, EXIT, UsageError } from '../errors.ts';
import type { ConsoleContext } from './context.ts';
import { NotFoundError } from './data/security.ts';
import { route } from './routes.ts';

const WEB = new URL('./web/', import.meta.url);

export interface ConsoleServer {
  url: string;
  /** Size of the bundled front end in bytes (minified, uncompressed). */
  bundleBytes: number;
  close(): Promise<void>;
}

/** Bundles web/main.ts (and lightweight-charts) into one minified script, in memory. */
async function bundleFrontEnd(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('main.ts', WEB).pathname],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

const errorCode = (error: unknown) =>
  (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;

/** HTTP status and one line for an error: bad input 400, nothing found 404, nothing to talk to 503. */
function describeError(error: unknown): { status: number; message: string } {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (error instanceof UsageError) return { status: 400, message };
  if (error instanceof NotFoundError) return { status: 404, message };
  if (error instanceof CliError && error.exitCode === EXIT.unavailable) return { status: 503, message };
  const code = errorCode(error);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET')
    return { status: 503, message: `the target stopped answering (${code}): ${message}` };
  return { status: 502, message };
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += chunk;
  if (text === '') return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {}
  throw new UsageError('request body: not a JSON object');
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

interface StaticFile {
  type: string;
  body: string;
}

/** The front end's files by path; the page answers both / and /index.html. */
function frontEndFiles(script: string): Map<string, StaticFile> {
  const page = { type: 'text/html', body: readFileSync(new URL('index.html', WEB), 'utf8') };
  const style = { type: 'text/css', body: readFileSync(new URL('style.css', WEB), 'utf8') };
  return new Map([
    ['/app.js', { type: 'text/javascript', body: script }],
    ['/style.css', style],
    ['/', page],
    ['/index.html', page],
  ]);
}

/** Logs each new API problem once: the pages poll, and a stopped stack should not flood the terminal. */
function problemLog(log: (line: string) => void) {
  let lastError = '';
  return {
    answered: () => {
      lastError = '';
    },
    failed: (message: string) => {
      if (message !== lastError) log(`horton console: ${message}`);
      lastError = message;
    },
  };
}

type ProblemLog = ReturnType<typeof problemLog>;

/** The data an API request asks for, from its route. */
async function apiAnswer(context: ConsoleContext, request: IncomingMessage, url: URL): Promise<unknown> {
  const method = request.method === 'POST' ? 'POST' : 'GET';
  const apiRequest = {
    method,
    parts: url.pathname.slice('/api/'.length).split('/').filter(Boolean),
    query: url.searchParams,
    body: method === 'POST' ? await readBody(request) : {},
  } as const;
  const handler = route(apiRequest);
  if (!handler) throw new NotFoundError(`no such API: ${method} ${url.pathname}`);
  try {
    return await handler(context, apiRequest);
  } catch (error) {
    // A refused connection sent nothing: connect again (the pipeline may have restarted or stopped) and
    // ask once more, so the page says what is wrong now rather than what the old connection met.
    if (errorCode(error) !== 'ECONNREFUSED') throw error;
    context.reset();
    return await handler(context, apiRequest);
  }
}

/** Answers an API request with its data as JSON, or with `{ error }` and the status describeError gives. */
function serveApi(
  context: ConsoleContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  problems: ProblemLog,
): void {
  apiAnswer(context, request, url)
    .then((data) => {
      problems.answered();
      send(response, 200, 'application/json', JSON.stringify(data));
    })
    .catch((error: unknown) => {
      const { status, message } = describeError(error);
      if (status >= 500) context.reset();
      problems.failed(message);
      send(response, status, 'application/json', JSON.stringify({ error: message }));
    });
}

function serveFile(response: ServerResponse, file: StaticFile | undefined): void {
  if (file) send(response, 200, file.type, file.body);
  else send(response, 404, 'text/plain', 'not found');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startConsoleServer(
  context: ConsoleContext,
  options: { host: string; port: number; log: (line: string) => void },
): Promise<ConsoleServer> {
  const script = await bundleFrontEnd();
  const files = frontEndFiles(script);
  const problems = problemLog(options.log);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://console');
    if (url.pathname.startsWith('/api/')) serveApi(context, request, response, url, problems);
    else serveFile(response, files.get(url.pathname));
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    bundleBytes: Buffer.byteLength(script),
    close: () => closeServer(server),
  };
}
