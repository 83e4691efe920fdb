/**
 * A real webhook receiver on loopback: records every request, answers from a queue of scripted
 * responses (default 200), and can verify signatures with the `standardwebhooks` package.
 */
import http from 'node:http';

/** `status`: what the receiver answered (undefined: it hung). */
export type Received = { headers: http.IncomingHttpHeaders; body: string; path: string; status?: number };
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export type Receiver = {
  url: (path?: string) => string;
  received: Received[];
  answers: Answer[];
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = answers.shift() ?? { status: 200 };
      received.push({ headers: req.headers, body, path: req.url ?? '', ...(answer === 'hang' ? {} : { status: answer.status }) });
      if (answer === 'hang') return; // never answers: the sender's timeout ends it
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path = '/hooks') => `http://127.0.0.1:${port}${path}`,
    received,
    answers,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
