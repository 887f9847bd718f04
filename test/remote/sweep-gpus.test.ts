// Sweeps on more than one GPU: the `--gpus` choice, the free-GPU rule for `auto`, and the CLI
// running two points at once with the real runner on a tiny model on the `local` host, GPU slots
// simulated by CUDA_VISIBLE_DEVICES values (the runner trains on CPU either way).
// Needs python-runner/.venv (scripts/setup-python.sh); the real-runner part is skipped with that message otherwise.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { autoSlots, freeGpus, parseGpuChoice } from '../../src/core/remote/gpu-slots';
import { makeTinyRunWorkspace, repoRoot, runCli } from './cli-helpers';

const venvPython = join(repoRoot, 'python-runner', '.venv', 'bin', 'python');
const skip = existsSync(venvPython) ? undefined : 'python-runner/.venv is missing: run `bash scripts/setup-python.sh` to test with the real runner';

const gpu = (index: number, memGiB: number, freeMemGiB: number) => ({ index, name: 'NVIDIA H100', memGiB, freeMemGiB, computeCapability: '9.0', bf16: true });

describe('--gpus choice and the free-GPU rule', () => {
  test('parses auto, none and index lists; refuses anything else with the input named', () => {
    assert.deepEqual(parseGpuChoice('auto'), { kind: 'auto' });
    assert.deepEqual(parseGpuChoice('none'), { kind: 'none' });
    assert.deepEqual(parseGpuChoice('0,1, 3'), { kind: 'list', gpus: ['0', '1', '3'] });
    assert.throws(() => parseGpuChoice('0,x'), /"0,x" is not auto, none or a list of GPU indices.*"x"/);
    assert.throws(() => parseGpuChoice('1,1'), /names a GPU twice/);
    assert.throws(() => parseGpuChoice(''), /is not auto, none/);
  });

  test('auto on an env report with 3 GPUs, one busy, gives the 2 free ones', () => {
    const env = { cudaAvailable: true, gpus: [gpu(0, 80, 79.2), gpu(1, 80, 12.5), gpu(2, 80, 78)] };
    assert.deepEqual(freeGpus(env), ['0', '2']);
    assert.deepEqual(autoSlots(env), ['0', '2']);
  });

  test('auto queues when fewer than two GPUs exist or are free, or when the report has none', () => {
    assert.deepEqual(autoSlots({ gpus: [gpu(0, 24, 23.5)] }), []);
    assert.deepEqual(autoSlots({ gpus: [gpu(0, 24, 23.5), gpu(1, 24, 3)] }), []);
    assert.deepEqual(autoSlots({ cudaAvailable: false, gpus: [] }), []);
    assert.deepEqual(autoSlots(null), []);
    assert.deepEqual(autoSlots({ gpus: 'garbage' }), []);
  });
});

describe('distillery train --sweep --gpus with the real runner', { skip }, () => {
  test('--gpus 0,1 on local runs two points at once, one on each GPU, and runs list shows them', async () => {
    const work = mkdtempSync(join(tmpdir(), 'distillery-sweep-gpus-'));
    const home = mkdtempSync(join(tmpdir(), 'distillery-home-'));
    const env = { DISTILLERY_REMOTE_HOME: home };
    makeTinyRunWorkspace(work);
    const config = join(work, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        baseModel: join(work, 'model'),
        modality: 'lora',
        supervision: 'dss',
        lora: { r: 4 },
        train: { batchSize: 2, logSteps: 1, evalSteps: 1000, saveSteps: 1000, maxSourceLen: 32, maxTargetLen: 24, lr: 1e-3, seed: 7, maxSteps: 4 },
        data: { train: 'train.jsonl', val: 'val.jsonl' },
      }),
    );
    // The real runner, behind a wrapper that records, in the run directory, the GPU the job saw
    // and when the runner started and ended (ns), so overlap is measured, not assumed.
    const python = join(work, 'python');
    writeFileSync(
      python,
      [
        '#!/bin/sh',
        'printf "%s %s\\n" "${CUDA_VISIBLE_DEVICES-unset}" "$(date +%s%N)" > slot_probe',
        `${JSON.stringify(venvPython)} "$@"`,
        'rc=$?',
        'date +%s%N >> slot_probe',
        'exit $rc',
        '',
      ].join('\n'),
    );
    chmodSync(python, 0o755);

    const r = await runCli(['train', '--host', 'local', '--config', config, '--sweep', 'lr=1e-3,2e-3', '--gpus', '0,1', '--python', python, '--follow'], env);
    assert.equal(r.code, 0, r.stderr);
    const ids = [...r.stdout.matchAll(/^run (\S+)$/gm)].map((m) => m[1]!);
    assert.equal(ids.length, 2, r.stdout);
    assert.match(r.stderr, /2 point\(s\) on GPUs 0,1, 2 at once/);

    // `done` is the runner's last event, not its exit: wait for each job to record its exit code.
    const deadline = Date.now() + 60_000;
    for (const id of ids)
      while (!existsSync(join(home, '.distillery', 'runs', id, 'exit_code'))) {
        assert.ok(Date.now() < deadline, `run ${id} never wrote exit_code`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    const probes = ids.map((id) => {
      const [first = '', end = ''] = readFileSync(join(home, '.distillery', 'runs', id, 'slot_probe'), 'utf8').trim().split('\n');
      const [visible = '', start = ''] = first.split(' ');
      return { id, visible, start: BigInt(start), end: BigInt(end), gpuFile: readFileSync(join(home, '.distillery', 'runs', id, 'gpu'), 'utf8').trim() };
    });
    // One point per GPU, and the job's CUDA_VISIBLE_DEVICES is the GPU its slot recorded.
    assert.deepEqual(probes.map((p) => p.visible).sort(), ['0', '1']);
    for (const p of probes) {
      assert.equal(p.visible, p.gpuFile);
      assert.match(r.stderr, new RegExp(`run ${p.id} ran on GPU ${p.visible}`));
    }
    const [a, b] = probes as [(typeof probes)[0], (typeof probes)[0]];
    assert.ok(a.start < b.end && b.start < a.end, `the two runs did not overlap: ${JSON.stringify(probes.map((p) => [String(p.start), String(p.end)]))}`);

    const listed = await runCli(['runs', 'list', '--host', 'local', '--format', 'json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const runs = JSON.parse(listed.stdout) as { runId: string; status: string; gpu?: string }[];
    for (const p of probes) {
      const row = runs.find((x) => x.runId === p.id);
      assert.equal(row?.status, 'done');
      assert.equal(row?.gpu, p.visible);
    }
  });

  test('--gpus without --sweep, and a bad --gpus, are usage errors naming the flag', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'distillery-gpus-usage-')), 'run.json');
    writeFileSync(config, '{}');
    const alone = await runCli(['train', '--host', 'local', '--config', config, '--gpus', '0,1'], {});
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--gpus goes with --sweep/);
    const bad = await runCli(['train', '--host', 'local', '--config', config, '--sweep', 'lr=1e-3', '--gpus', 'two'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--gpus: "two" is not auto, none/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
});
