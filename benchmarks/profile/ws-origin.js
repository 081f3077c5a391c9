// A small non-JVM origin for the connection profiles: answers any HTTP request with a short
// body and accepts any WebSocket upgrade, echoing data frames and answering a close frame with a
// close frame, then closing (the server closes the TCP connection first, RFC 6455 7.1.1).
// Usage: node ws-origin.js PORT
'use strict';
const http = require('http');
const crypto = require('crypto');
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const port = Number(process.argv[2] || 0);

function unmask(buf, offset, len, mask) {
  const out = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) out[i] = buf[offset + i] ^ mask[i & 3];
  return out;
}

function frame(opcode, payload) {
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length])
    : Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([head, payload]);
}

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 3 });
  res.end('ok\n');
});
server.keepAliveTimeout = 75000;
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const opcode = pending[0] & 0x0f;
      let len = pending[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (pending.length < 4) return; len = pending.readUInt16BE(2); off = 4; }
      if (pending.length < off + 4 + len) return;
      const payload = unmask(pending, off + 4, len, pending.subarray(off, off + 4));
      pending = pending.subarray(off + 4 + len);
      if (opcode === 0x8) { socket.end(frame(0x8, payload)); return; }
      if (opcode === 0x1 || opcode === 0x2) socket.write(frame(opcode, payload));
    }
  });
  socket.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log('listening ' + server.address().port));
