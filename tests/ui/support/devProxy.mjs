// For UI development only (CI never sets it): with SWITCHBOARD_UI_DIST=ui/dist the suite
// serves that fresh build itself and forwards /inspector (HTTP and WebSocket) to the real
// binary, so a UI change can be tested without rebuilding the binary that embeds ui/dist.
// Host and Origin are rewritten to the binary's own, as its inspector guard expects.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

export async function startDevProxy(distDir, backend) {
  const dist = path.resolve(distDir);
  const target = `${backend.host}:${backend.port}`;
  const rewrite = (headers) => ({ ...headers, host: target, ...(headers.origin ? { origin: `http://${target}` } : {}) });
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/inspector')) {
      const up = http.request({ host: backend.host, port: backend.port, path: req.url, method: req.method, headers: rewrite(req.headers) }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
      return;
    }
    const clean = decodeURIComponent(req.url.split('?')[0]);
    let file = path.join(dist, clean === '/' ? 'index.html' : clean);
    if (!file.startsWith(dist) || !fs.existsSync(file)) file = path.join(dist, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(backend.port, backend.host, () => {
      const headers = rewrite(req.headers);
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
      up.write(lines.join('\r\n'));
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}
