// `distillery runs list|logs ID [--follow]|cancel ID|fetch ID|preflight|setup --host H`
// (docs/ARCHITECTURE.md, "CLI details"). logs prints the run's events from its start, each
// exactly once, also across reconnects; cancel returns once no process of the run's group is
// left; list --format json prints [{runId, status, startedAt, config, metrics, gpu?}].
import { resolve } from 'node:path';
import { followRun } from '../../core/remote/follow';
import { cancelRun, defaultRunnerDir, fetchRun, listRuns, readEvents, runStatus } from '../../core/remote/jobs';
import { preflight, runnerRequirements, setupVenv } from '../../core/remote/preflight';
import { closeAllConnections } from '../../core/remote/ssh-connection';
import { numberFlag, parse, UsageError } from '../usage';
import { exitFor, hostOptions, openCliHost, out, remoteError } from './train';

const HELP = `usage: distillery runs <subcommand> --host H [options]

  list [--format text|json]          runs on the host: {runId, status, startedAt, config, metrics}
  logs ID [--follow]                 the run's events from its start (each line exactly once)
  status ID                          one run's summary as JSON; exit code follows its status
  cancel ID [--grace SEC]            SIGTERM to the run's process group, SIGKILL after SEC (30)
  fetch ID [--out DIR] [--adapter]   metrics, predictions (and the adapter) into DIR/ID (./runs)
  preflight [--python P]             sync the runner and print the host's GPUs, CUDA, disk (JSON)
  setup [--extras qlora]             create ~/.distillery/venv with the runner's packages

  --host H  ssh config alias, user@host[:port], a distillery.json host name, or local
  --accept-new-host-key  add an unknown host key to known_hosts (a changed key is always refused)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    'runs',
    argv,
    {
      ...hostOptions,
      format: { type: 'string' },
      follow: { type: 'boolean' },
      grace: { type: 'string' },
      out: { type: 'string' },
      adapter: { type: 'boolean' },
      python: { type: 'string' },
      extras: { type: 'string' },
    },
    true,
  );
  const [sub, id, ...extra] = positionals;
  if (values.help || !sub) {
    await out(HELP + '\n');
    return values.help ? 0 : 2;
  }
  if (extra.length) throw new UsageError(`distillery runs: unexpected argument "${extra[0]}"`);
  const needsId = ['logs', 'cancel', 'fetch', 'status'].includes(sub);
  if (!['list', 'preflight', 'setup', ...(needsId ? [sub] : [])].includes(sub)) throw new UsageError(`distillery runs: unknown subcommand "${sub}"; use list, logs, status, cancel, fetch, preflight or setup`);
  if (needsId && !id) throw new UsageError(`distillery runs ${sub}: the run id is missing (distillery runs list --host H shows them)`);
  if (!needsId && id) throw new UsageError(`distillery runs ${sub}: takes no run id`);
  const format = values.format ?? 'text';
  if (!['text', 'json'].includes(format)) throw new UsageError(`--format must be text or json, got "${format}"`);
  const grace = numberFlag('grace', values.grace, { min: 0 }) ?? 30;
  const { host, python: profilePython } = openCliHost(`runs ${sub}`, values);
  try {
    switch (sub) {
      case 'list': {
        const runs = await listRuns(host);
        // Runs submitted through Slurm or Ray add the scheduler's own state and reason.
        const rows = runs.map(({ runId, status, startedAt, config, metrics, scheduler, jobId, schedulerState, schedulerReason, gpu }) => ({
          runId,
          status,
          startedAt,
          config,
          metrics,
          ...(gpu ? { gpu } : {}),
          ...(scheduler ? { scheduler, jobId, schedulerState, schedulerReason } : {}),
        }));
        if (format === 'json') {
          await out(JSON.stringify(rows, null, 2) + '\n');
        } else {
          for (const r of rows) {
            const c = r.config ?? {};
            const lora = c['lora'] as { r?: number } | undefined;
            const what = [c['modality'], c['supervision'], lora?.r ? `r${lora.r}` : undefined].filter(Boolean).join(' ');
            const em = r.metrics?.['exactMatch'];
            const sched = 'scheduler' in r && r.scheduler ? `\t${r.scheduler} ${r.jobId ?? ''} ${r.schedulerState ?? ''}${r.schedulerReason ? ` (${r.schedulerReason})` : ''}` : '';
            const gpu = 'gpu' in r && r.gpu ? `\tGPU ${r.gpu}` : '';
            await out(`${r.runId}\t${r.status}\t${r.startedAt ?? '-'}\t${what}${typeof em === 'number' ? `\tEM ${em.toFixed(3)}` : ''}${gpu}${sched}\n`);
          }
        }
        return 0;
      }
      case 'logs': {
        if (!values.follow) {
          const text = (await readEvents(host, id!)).toString('utf8');
          // Only complete lines: a line still being written is not an event yet.
          await out(text.slice(0, text.lastIndexOf('\n') + 1));
          return 0;
        }
        const res = await followRun(host, id!, {
          onLine: (line) => void out(line + '\n'),
          onReconnect: (n, e) => process.stderr.write(`distillery: connection lost (${e.message}); re-attaching (${n})\n`),
        });
        return exitFor(res.status);
      }
      case 'status': {
        const s = await runStatus(host, id!);
        await out(JSON.stringify(s, null, 2) + '\n');
        return s.status === 'running' || s.status === 'queued' ? 0 : exitFor(s.status);
      }
      case 'cancel': {
        const r = await cancelRun(host, id!, grace);
        process.stderr.write(r === 'cancelled' ? `distillery: run ${id} cancelled; no process of its group is left\n` : `distillery: run ${id} was not running\n`);
        return 0;
      }
      case 'fetch': {
        const r = await fetchRun(host, id!, resolve(values.out ?? 'runs'), { adapter: !!values.adapter });
        for (const f of r.files) await out(`${resolve(r.localDir, f)}\n`);
        return 0;
      }
      case 'preflight': {
        const python = values.python ?? profilePython;
        const report = await preflight(host, defaultRunnerDir(), python ? { python } : {});
        await out(JSON.stringify(report, null, 2) + '\n');
        return report.env ? 0 : 1;
      }
      case 'setup': {
        const extras = values.extras ? values.extras.split(',') : [];
        const code = await setupVenv(host, runnerRequirements(defaultRunnerDir(), extras), (t) => process.stderr.write(t));
        return code === 0 ? 0 : 1;
      }
    }
    return 2;
  } catch (e) {
    return remoteError(e);
  } finally {
    closeAllConnections();
  }
}
