// Loads one page in the Debian chromium, driven by playwright-core, and prints one JSON line of
// what a user would see: the response status, the page's title and the state its own scripts
// left in <body data-*>, the TLS details of the connection, and every console error and
// uncaught exception. A navigation that fails (an untrusted certificate, say) is printed as
// {"navigationError": "..."} with exit code 0: the test decides whether that was expected.
//
// Usage: node load-page.js URL
// Environment: PLAYWRIGHT_CORE (the playwright-core directory), CHROMIUM (its executable),
// BROWSER_HOME (the HOME chromium runs with: its .pki/nssdb is the certificate store it trusts),
// WAIT_FOR_DATASET (optional: a data-* key of <body> to wait for, e.g. "ws").
'use strict';
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

async function main() {
  const url = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox'],
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
    let response;
    try {
      response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    } catch (e) {
      console.log(JSON.stringify({ navigationError: String(e.message).split('\n')[0] }));
      return;
    }
    const key = process.env.WAIT_FOR_DATASET;
    if (key) {
      await page.waitForFunction((k) => document.body && document.body.dataset[k], key, {
        timeout: 30000,
      });
    }
    const security = await response.securityDetails();
    console.log(
      JSON.stringify({
        status: response.status(),
        url: response.url(),
        title: await page.title(),
        dataset: await page.evaluate(() => Object.assign({}, document.body.dataset)),
        protocol: security ? security.protocol : null,
        issuer: security ? security.issuer : null,
        subjectName: security ? security.subjectName : null,
        consoleErrors,
        failedRequests,
      })
    );
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
