// What the Elasticsearch view tests put in place of VS Code inside the page: acquireVsCodeApi hands
// the webview's messages to the test (window.__toHost) and CSP violations are reported
// (window.__csp), so a test sees both without a real extension host.
export const STAND_IN = `
(() => {
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState: () => undefined, setState: () => {} });
  document.addEventListener('securitypolicyviolation', (e) => window.__csp(e.violatedDirective + ' ' + e.blockedURI));
})();
`;

export async function waitUntil(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
