// Loads one page in the Debian chromium, driven by playwright-core, and prints one JSON line of
// what a user would see: the response status, the page's title and the state its own scripts
// left in <body data-*>, the TLS details of the connection, and every console error and
// uncaught exception. A navigation that fails (an untrusted certificate, say) is printed as
// {"navigationError": "..."} with exit code 0: the test decides whether that was expected.
//
// Usage: node load-page.js URL
// Environment: PLAYWRIGHT_CORE (the playwright-core directory), CHROMIUM (its executable),
// BROWSER_HOME (the HOME chromium runs with: its .pki/nssdb is the certificate store it trusts),
// WAIT_FOR_DATASET (optional: a data-* key of <body> to wait for, e.g. "ws"),
// OPEN_WEBSOCKET (optional: a path; once the page has loaded, the page opens a WebSocket to it on
// its own host, sends one message and records the echo in <body data-ws>, as the SPA's main.js
// does), NET_LOG (optional: a file for Chromium's own net log; when given, the output says which
// WebSockets the browser opened as an RFC 8441 extended CONNECT on an HTTP/2 connection).
//
// Besides, the output says which protocol the browser used for the page and each resource (the
// Resource Timing nextHopProtocol: "h2", "http/1.1") and, from the DevTools protocol, every
// WebSocket's URL and handshake status (101 over HTTP/1.1; an RFC 8441 stream answers 200).
'use strict';
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

async function main() {
  const url = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox'].concat(
      process.env.NET_LOG ? ['--log-net-log=' + process.env.NET_LOG] : []
    ),
    env: { ...process.env, HOME: process.env.BROWSER_HOME },
    timeout: 60000,
  });
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    const failedRequests = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push('uncaught: ' + String(e)));
    page.on('requestfailed', (r) => failedRequests.push(r.url() + ' ' + r.failure().errorText));
    const webSockets = await watchWebSockets(page);
    let response;
    try {
      response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    } catch (e) {
      console.log(JSON.stringify({ navigationError: String(e.message).split('\n')[0] }));
      return;
    }
    if (process.env.OPEN_WEBSOCKET) {
      await page.evaluate(openWebSocket, process.env.OPEN_WEBSOCKET);
    }
    const key = process.env.WAIT_FOR_DATASET;
    if (key) {
      await page.waitForFunction((k) => document.body && document.body.dataset[k], key, {
        timeout: 30000,
      });
    }
    const security = await response.securityDetails();
    const seen = {
      status: response.status(),
      url: response.url(),
      title: await page.title(),
      dataset: await page.evaluate(() => Object.assign({}, document.body.dataset)),
      protocol: security ? security.protocol : null,
      issuer: security ? security.issuer : null,
      subjectName: security ? security.subjectName : null,
      consoleErrors,
      failedRequests,
      protocols: await page.evaluate(() =>
        performance
          .getEntriesByType('navigation')
          .concat(performance.getEntriesByType('resource'))
          .map((e) => ({ url: e.name, protocol: e.nextHopProtocol }))
      ),
      webSockets: Object.values(webSockets),
    };
    await browser.close(); // writes the end of the net log
    seen.http2WebSockets = process.env.NET_LOG ? http2WebSockets(process.env.NET_LOG) : [];
    console.log(JSON.stringify(seen));
  } finally {
    await browser.close();
  }
}

// Every WebSocket the page opened, with its handshake's status, from the DevTools protocol.
async function watchWebSockets(page) {
  const webSockets = {};
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.webSocketCreated', (e) => {
    webSockets[e.requestId] = { url: e.url, status: null };
  });
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
    const ws = webSockets[e.requestId] || (webSockets[e.requestId] = { url: null });
    ws.status = e.response.status;
  });
  await cdp.send('Network.enable');
  return webSockets;
}

// Runs in the page: what the SPA's main.js does, for a page that has no script of its own.
function openWebSocket(path) {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const ws = new WebSocket(scheme + location.host + path);
  ws.onopen = () => ws.send('hello from the page');
  ws.onmessage = (e) => {
    document.body.dataset.ws = 'echo: ' + e.data;
    ws.close(1000, 'done');
  };
  ws.onerror = () => {
    document.body.dataset.ws = 'error';
  };
}

// The URLs of the WebSockets the browser opened as an extended CONNECT (RFC 8441) on an HTTP/2
// session: the HEADERS it sent with ":protocol: websocket", as its net log recorded them.
function http2WebSockets(file) {
  // Complete once the browser has closed; if it died first, the file ends inside "events".
  const text = require('fs').readFileSync(file, 'utf8');
  let log;
  try {
    log = JSON.parse(text);
  } catch (e) {
    log = JSON.parse(text.replace(/[,\s]*$/, '') + ']}');
  }
  const sendHeaders = log.constants.logEventTypes.HTTP2_SESSION_SEND_HEADERS;
  const urls = [];
  for (const event of log.events) {
    const headers = event.type === sendHeaders && event.params && event.params.headers;
    if (!headers || !headers.includes(':protocol: websocket')) continue;
    const value = (name) => {
      const line = headers.find((h) => h.startsWith(name + ': '));
      return line ? line.substring(name.length + 2) : '';
    };
    urls.push(value(':scheme') + '://' + value(':authority') + value(':path'));
  }
  return urls;
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
