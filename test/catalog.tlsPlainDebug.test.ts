import { createServer } from 'node:net';
import { it } from 'vitest';
import { scanTlsEndpoint } from '/work/main/src/catalog/upkeep/tlsScan.js';
it('x', async () => {
  const http = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as any).port;
  const t = Date.now();
  const s = await scanTlsEndpoint({ host: '127.0.0.1', port }, { timeoutMs: 2000 });
  console.log(Date.now() - t, JSON.stringify(s.versions), JSON.stringify(s.weakCiphers));
  const t2 = Date.now();
  await new Promise((r) => http.close(r));
  console.log('close', Date.now() - t2);
}, 60000);
