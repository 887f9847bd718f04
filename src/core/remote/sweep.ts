// Sweeps: a grid over modality × supervision × rank (alpha = 4 × rank) × learning rate, run
// one after another on the host by a queue script started detached (setsid nohup), so the
// queue goes on when the client disconnects. Each run keeps its own process group (setsid per
// job), so cancelling one run ends only that run and the queue moves to the next.
import { posix } from 'node:path';
import { execOk, type Host } from './host';
import { prepareRun, type LaunchOptions } from './jobs';
import { newRunId } from './layout';
import { shellQuote } from './shell-quote';
import { schedulerFor } from './schedulers';

export interface SweepGrid {
  modality?: string[];
  supervision?: string[];
  rank?: number[];
  lr?: number[];
}

/** Parses "modality=lora,qlora;supervision=dss,label_only;rank=8,16;lr=1e-4,2e-4". */
export function parseSweepGrid(text: string): SweepGrid {
  const grid: SweepGrid = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [key = '', values] = part.split('=');
    const list = (values ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    if (!key.trim() || !list.length) throw new Error(`"${part}" should look like key=v1,v2`);
    const nums = (): number[] =>
      list.map((v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new Error(`${key} value "${v}" is not a positive number`);
        return n;
      });
    switch (key.trim()) {
      case 'modality':
        for (const m of list) if (!['full', 'lora', 'qlora'].includes(m)) throw new Error(`modality "${m}" is not full, lora or qlora`);
        grid.modality = list;
        break;
      case 'supervision':
        for (const s of list) if (!['dss', 'label_only'].includes(s)) throw new Error(`supervision "${s}" is not dss or label_only`);
        grid.supervision = list;
        break;
      case 'rank':
      case 'r':
        grid.rank = nums();
        break;
      case 'lr':
        grid.lr = nums();
        break;
      default:
        throw new Error(`unknown key "${key}"; use modality, supervision, rank, lr`);
    }
  }
  return grid;
}

/** Every combination of the grid applied to a base RUN.json; full runs ignore rank. */
export function planSweep(base: Record<string, unknown>, grid: SweepGrid): Record<string, unknown>[] {
  const modalities = grid.modality?.length ? grid.modality : [String(base['modality'] ?? 'lora')];
  const supervisions = grid.supervision?.length ? grid.supervision : [String(base['supervision'] ?? 'dss')];
  const baseLora = (base['lora'] ?? {}) as Record<string, unknown>;
  const baseTrain = (base['train'] ?? {}) as Record<string, unknown>;
  const ranks = grid.rank?.length ? grid.rank : [typeof baseLora['r'] === 'number' ? baseLora['r'] : 16];
  const lrs = grid.lr?.length ? grid.lr : [typeof baseTrain['lr'] === 'number' ? baseTrain['lr'] : 2e-4];
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const modality of modalities)
    for (const supervision of supervisions)
      for (const r of modality === 'full' ? [undefined] : ranks)
        for (const lr of lrs) {
          const key = JSON.stringify([modality, supervision, r, lr]);
          if (seen.has(key)) continue;
          seen.add(key);
          const cfg: Record<string, unknown> = { ...structuredClone(base), modality, supervision, train: { ...baseTrain, lr } };
          if (supervision === 'label_only') cfg['dssWeight'] = 1.0;
          // A label-only base's weight of 1 would turn a DSS point into label-only again.
          else if (cfg['dssWeight'] === 1) delete cfg['dssWeight'];
          // Full fine-tuning takes no lora block (the runner refuses one).
          if (r !== undefined) cfg['lora'] = { ...baseLora, r, alpha: 4 * r };
          else delete cfg['lora'];
          out.push(cfg);
        }
  return out;
}

export interface SweepLaunch {
  sweepId: string;
  runIds: string[];
  /** The queue script's process group (scheduler none; 0 otherwise). */
  queuePgid: number;
  /** The Slurm array job id (scheduler slurm). */
  jobId?: string;
}

export async function launchSweep(host: Host, base: Omit<LaunchOptions, 'config' | 'runId'>, configs: Record<string, unknown>[], sweepId = `sweep-${newRunId({}).slice(0, 15)}`): Promise<SweepLaunch> {
  // Slurm fans the points out as a job array, Ray as separate jobs under a concurrency cap.
  const scheduler = schedulerFor(host);
  if (scheduler) return scheduler.launchSweep(host, base, configs, sweepId);
  const runIds: string[] = [];
  const dirs: string[] = [];
  let layoutQueues = '';
  for (const config of configs) {
    const prepared = await prepareRun(host, { ...base, config, runId: `${sweepId}-${runIds.length + 1}-${newRunId(config).slice(16)}` });
    runIds.push(prepared.runId);
    dirs.push(prepared.dir);
    layoutQueues = prepared.layout.queues;
    base.onProgress?.(`prepared ${prepared.runId} (${prepared.sync.uploadedFiles} files uploaded)`);
  }
  const queueFile = posix.join(layoutQueues, `${sweepId}.sh`);
  const script = [
    '#!/bin/sh',
    '# Written by Distillery: runs a sweep one job after another; each job gets its own session.',
    `for d in ${dirs.map(shellQuote).join(' ')}; do`,
    '  [ -f "$d/cancelled" ] && continue',
    '  (cd "$d" && setsid sh job.sh >stdout.log 2>&1 </dev/null)',
    'done',
    '',
  ].join('\n');
  await execOk(host, `mkdir -p ${shellQuote(layoutQueues)}`, 'creating the queue directory');
  await host.writeFile(queueFile, script);
  const out = await execOk(host, `setsid nohup sh ${shellQuote(queueFile)} >${shellQuote(queueFile + '.log')} 2>&1 </dev/null & echo $!`, 'starting the sweep queue');
  return { sweepId, runIds, queuePgid: Number(out.trim()) };
}
