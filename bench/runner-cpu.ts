// Benchmark: the Python runner's DSS training step against a stock Hugging Face Trainer, on CPU
// (tokens/s ratio and padding share, decoder-only and T5). The measuring is in bench/runner_cpu.py,
// which needs the runner's venv (bash scripts/setup-python.sh); this file lets `npm run bench` find it.
// Run: npm run bench -- runner   or   python-runner/.venv/bin/python bench/runner_cpu.py [--steps 12]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const python = join(root, 'python-runner', '.venv', 'bin', 'python');
if (!existsSync(python)) {
  console.error('bench/runner-cpu: python-runner/.venv is missing; create it with `bash scripts/setup-python.sh`');
  process.exit(1);
}
const r = spawnSync(python, [join(root, 'bench', 'runner_cpu.py'), ...process.argv.slice(2)], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
process.exit(r.status ?? 1);
