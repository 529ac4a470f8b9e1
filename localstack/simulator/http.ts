/** Writing answers: every response the simulator sends says that it is simulated. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAnswer } from './answers.ts';

/**
 * The header that marks every response as the simulator's, so a client can tell simulated data from real
 * AlphaVantage data (AlphaVantage's bodies have no room for a marker that parsers would not trip over).
 */
const SIMULATOR_HEADER = 'x-horton-simulator';

export function send(
  response: ServerResponse,
  answer: Pick<ApiAnswer, 'status' | 'contentType' | 'body'>,
): void {
  response.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
    [SIMULATOR_HEADER]: '1',
  });
  response.end(answer.body);
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? {} : JSON.parse(text);
}

/** What a 5xx from AlphaVantage's front proxy looks like. */
export const htmlError = (status: number) =>
  `<html>\r\n<head><title>${status} Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>${status} Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n`;

export function redactApiKey(url: string): string {
  return url.replace(/([?&]apikey=)[^&]*/gi, '$1***');
}
