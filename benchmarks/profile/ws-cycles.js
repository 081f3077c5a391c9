// WebSocket open+close cycles: each connection sends the upgrade, waits for the 101, sends a
// close frame (1000), waits for the close frame back and the server's TCP close. N in flight.
// Usage: node ws-cycles.js HOST PORT PATH TOTAL INFLIGHT  -> prints "result cycles=.. seconds=.. failures=.."
'use strict';
const net = require('net');
const [host, port, path, total, inflight] =
  [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5]), Number(process.argv[6])];
const request = Buffer.from('GET ' + path + ' HTTP/1.1\r\nHost: ' + host + ':' + port +
  '\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n\r\n');
// FIN close, masked, 2-byte payload 1000 (mask 0 keeps the bytes as they are).
const close = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
let started = 0, done = 0, failures = 0;
const t0 = process.hrtime.bigint();
function one() {
  if (started >= total) return;
  started++;
  const s = net.connect(port, host);
  let state = 0, buf = Buffer.alloc(0), ok = false;
  s.setNoDelay(true);
  s.on('connect', () => s.write(request));
  s.on('data', (c) => {
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    if (state === 0) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!buf.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) { s.destroy(); return; }
      buf = buf.subarray(end + 4); state = 1; s.write(close);
    }
    if (state === 1 && buf.length >= 2 && (buf[0] & 0x0f) === 0x8) { ok = true; state = 2; }
  });
  s.on('error', () => {});
  s.on('close', () => {
    if (!ok) failures++;
    done++;
    if (done === total) {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log('result cycles=' + done + ' seconds=' + secs.toFixed(3) + ' failures=' + failures);
      process.exit(0);
    }
    one();
  });
}
for (let i = 0; i < inflight; i++) one();
