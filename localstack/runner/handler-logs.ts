/**
 * Per-handler log files for the local runner. Every handler runs in this one process and its Powertools logger
 * writes one JSON line per entry to stdout (as in Lambda, where CloudWatch Logs collects it per function); here
 * each such line goes, unchanged, to `<dir>/<handler>.log`, chosen by the line's `service` key (each handler has
 * its own service name). Anything else written to stdout or stderr passes through untouched, so `npm start`'s
 * own output stays on the terminal. `horton logs` reads the files.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface HandlerLogRouting {
  dir: string;
  /** Powertools service name (also the function name) -> handler name (the file's name). */
  services: ReadonlyMap<string, string>;
}

/**
 * The handler a JSON line belongs to: a Powertools line by its `service`, the runner's invoke-error line
 * (lambda-context.ts) by its `functionName` (the same name); undefined for any other line.
 */
export function handlerOfLine(line: string, services: ReadonlyMap<string, string>): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const { service, functionName } = JSON.parse(line) as { service?: unknown; functionName?: unknown };
    const name = service ?? functionName;
    return typeof name === 'string' ? services.get(name) : undefined;
  } catch {
    return undefined;
  }
}

type Write = typeof process.stdout.write;

/**
 * Routes the handlers' log lines on stdout and stderr to their files until the returned function is called.
 * Chunks without a final newline (not Powertools' `console.log` lines) pass through as they are.
 */
export function routeHandlerLogs(routing: HandlerLogRouting): () => Promise<void> {
  mkdirSync(routing.dir, { recursive: true });
  const files = new Map<string, WriteStream>();
  const fileOf = (handler: string) => {
    let file = files.get(handler);
    if (!file) {
      file = createWriteStream(path.join(routing.dir, `${handler}.log`), { flags: 'a' });
      files.set(handler, file);
    }
    return file;
  };
  const restores = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write as Write;
    const routed = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : undefined;
      if (text?.endsWith('\n')) {
        const lines = text.slice(0, -1).split('\n');
        const handlers = lines.map((line) => handlerOfLine(line, routing.services));
        if (handlers.every((handler) => handler !== undefined)) {
          for (const [index, line] of lines.entries()) fileOf(handlers[index] as string).write(`${line}\n`);
          const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
      }
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    };
    stream.write = routed as Write;
    return () => {
      stream.write = original;
    };
  });
  return async () => {
    for (const restore of restores) restore();
    await Promise.all(
      [...files.values()].map((file) => new Promise<void>((resolve) => file.end(() => resolve()))),
    );
  };
}
