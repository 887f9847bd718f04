// "Set Up Python Environment" is cancellable: aborting stops the installer's whole process group
// (venv creation, pip and what pip started) and resolves with null instead of an exit code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalHost } from '../../src/core/remote/local-host';
import { setupVenv } from '../../src/core/remote/preflight';

function processesUnder(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(dir) && !/\sZ/.test(l.slice(0, 14)));
}

describe('setupVenv cancel', () => {
  it('stops the installer when the signal aborts', { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'distillery-setup-'));
    const host = new LocalHost(home);
    const ac = new AbortController();
    let output = '';
    // A requirement that would take long (or fail) to install; abort as soon as the installer speaks.
    const running = setupVenv(host, ['distillery-test-package-that-does-not-exist==0.0.1'], (t) => {
      output += t;
      if (!ac.signal.aborted) ac.abort();
    }, ac.signal);
    // Or as soon as the installer has visibly started: the venv folder exists.
    const started = setInterval(() => {
      if (existsSync(join(home, '.distillery', 'venv'))) ac.abort();
    }, 20);
    const code = await running;
    clearInterval(started);
    assert.equal(code, null, `cancelled setup resolves with null (output: ${output.slice(-300)})`);
    // The group was signalled: nothing of it is left working under the temp home.
    const left = processesUnder(home);
    assert.deepEqual(left, [], `no installer process left:\n${left.join('\n')}`);
  });
});
