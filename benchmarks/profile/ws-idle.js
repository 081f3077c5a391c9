// Opens N WebSockets through HOST:PORT and keeps them idle; prints "ready OPENED" once all are
// open, then waits to be killed. For a class histogram or RSS of the proxy with N idle relays.
// Usage: node ws-idle.js HOST PORT PATH N
'use strict';
const net = require('net');
const [host, port, path, total] =
  [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5])];
const request = 'GET ' + path + ' HTTP/1.1\r\nHost: ' + host + ':' + port +
  '\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n\r\n';
const sockets = [];
let opened = 0, started = 0, ended = 0;
function one() {
  if (started >= total) return;
  started++;
  const s = net.connect(port, host);
  sockets.push(s);
  let head = '';
  s.on('connect', () => s.write(request));
  s.on('data', (c) => {
    if (head === null) return;
    head += c.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      const ok = head.startsWith('HTTP/1.1 101');
      head = null;
      if (ok) opened++;
      if (++ended === total) console.log('ready ' + opened);
      one();
    }
  });
  s.on('error', () => {});
}
for (let i = 0; i < 50; i++) one();
setInterval(() => {}, 1 << 30);
