// `distillery generate`: fill a dataset with teacher rationale + DSL pairs (docs/teacher.md).
// Progress goes to stderr, the summary to stdout. Ctrl+C once: no new requests, finished answers
// are kept, exit 3. Twice: in-flight requests are dropped too, exit 130.
import { EXIT, numberFlag, parse, UsageError, UserError } from '../usage';
import { pollBatches, submitBatch } from '../../core/teacher/batch';
import { formatUsd } from '../../core/teacher/cost';
import { averageOutputTokens, estimateRun, planQuestions, type RunSummary } from '../../core/teacher/generator';
import { createClient, createGenerator, openSession, readQuestions, unpricedBudget, type TeacherSession } from '../../core/teacher/session';
import { synthesizeQuestions } from '../../core/teacher/synthesize';
import type { TeacherSettings } from '../../core/project/config';
import { checkBaseUrl, TeacherError } from '../../core/teacher/client';

export const EXIT_INTERRUPTED = 130;

const HELP = `usage: distillery generate --dataset D [--questions Q] [--mapping M] [--model X] [--base-url U]
                           [--concurrency N] [--max-retries N] [--budget-usd B] [--repair|--no-repair] [--samples K]
                           [--cluster C [--index I] [--cluster-repair] | --no-grounding]

Asks the teacher model for a rationale and a Query DSL answer for every pending record of the
dataset and every question of --questions that has no answer for the current prompt yet.
Settings come from distillery.json next to the dataset (or in the current directory); flags win.
The API key is read from OPENAI_API_KEY (not needed for a --base-url endpoint without keys).

  --dataset D          the *.dss.jsonl dataset (created when missing)
  --questions Q        questions to add: .txt (one per line, # comments) or .jsonl ({"question": …})
  --mapping M          index mapping (GET _mapping response, create-index body or bare mappings)
  --model X            teacher model id            --base-url U     OpenAI-compatible endpoint
  --concurrency N      requests in flight          --max-retries N  retries on 429/5xx/timeouts
  --budget-usd B       hard stop for this run's spending, in US dollars
  --repair, --no-repair  ask the teacher to fix answers the validator rejects (default on)
  --repair-rounds N    repair attempts per question   --samples K   self-consistency: K answers, majority wins
  --temperature T      --timeout-sec S   --rpm N (requests/minute)   --tpm N (tokens/minute)
  --cluster C          grounded prompts: sample real values (top terms, min/max) from cluster C (a
                       name from distillery.json "clusters" or a URL) into the prompt; default:
                       teacher.grounding.cluster. Cached under .distillery/grounding/
  --index I            the index to sample (default: teacher.grounding.index, else the cluster's)
  --cluster-repair     also run each answer the validator accepts through the cluster and repair
                       the ones it rejects, with its reason (teacher.clusterRepair)
  --no-grounding       ignore teacher.grounding for this run
  --estimate           print the plan and the cost estimate, send nothing
  --synthesize N       ask the teacher for N new questions (--questions: seed examples) and add
                       them as pending records
  --batch              submit the work through the OpenAI Batch API (half price, results within 24h)
  --batch-poll         check submitted batches and merge finished ones (add --wait to block until done)
  --format text|json   how to print the summary

Exit: 0 done, 1 failed or stopped by the budget (rerun to continue), 2 bad usage or a setup the
server refuses (API key, model, endpoint) or a budget for a model without a price,
3 stopped by Ctrl+C (finished answers kept), 130 second Ctrl+C (in-flight requests dropped).`;

function summaryText(s: RunSummary, skipped: number): string {
  const lines = [
    `${s.generated} generated, ${s.needsFix} need a fix, ${skipped} already answered, ${s.unanswered} not answered`,
    `${s.requests} requests paid (${s.cacheHits} answered from cache), ${s.usage.input.toLocaleString('en-US')} input + ${s.usage.output.toLocaleString('en-US')} output tokens, ${formatUsd(s.costUsd)}${s.usageEstimated ? ' (estimated: the server sent no token counts)' : ''}`,
  ];
  if (s.identicalSamples) lines.push(`warning: for ${s.identicalSamples} question(s) all samples were byte-identical; the server may ignore temperature: set sampling fields in distillery.json teacher.extraBody (e.g. {"do_sample": true})`);
  if (s.stoppedBy === 'budget') lines.push('stopped: the budget is spent; rerun with a higher --budget-usd to continue where this run stopped');
  if (s.stoppedBy === 'cancel') lines.push('stopped by Ctrl+C; rerun the same command to continue');
  if (s.stoppedBy === 'error') lines.push(`stopped: ${s.error}`);
  if (s.failed) lines.push(`${s.failed} question(s) failed after all retries; rerun to retry them`);
  return lines.join('\n');
}

/** A teacher failure outside a generation run (synthesis, batch): one line with cause and fix, exit 1. */
function teacherFailure(e: unknown): never {
  if (e instanceof TeacherError) throw new UserError(e.message);
  throw e;
}

function exitCodeFor(s: RunSummary, hardAbort: boolean): number {
  if (hardAbort) return EXIT_INTERRUPTED;
  if (s.stoppedBy === 'cancel') return EXIT.cancelled;
  // A key the server refuses, a model it does not have, a URL that is not a teacher: fix the setup.
  if (s.stoppedBy === 'error' && (s.errorKind === 'auth' || s.errorKind === 'config')) return EXIT.usage;
  if (s.stoppedBy || s.failed) return EXIT.failed;
  return EXIT.ok;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse('generate', argv, {
    dataset: { type: 'string' },
    questions: { type: 'string' },
    mapping: { type: 'string' },
    model: { type: 'string' },
    'base-url': { type: 'string' },
    concurrency: { type: 'string' },
    'max-retries': { type: 'string' },
    'budget-usd': { type: 'string' },
    repair: { type: 'boolean' },
    'no-repair': { type: 'boolean' },
    'repair-rounds': { type: 'string' },
    samples: { type: 'string' },
    temperature: { type: 'string' },
    'timeout-sec': { type: 'string' },
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    estimate: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    synthesize: { type: 'string' },
    batch: { type: 'boolean' },
    'batch-poll': { type: 'boolean' },
    wait: { type: 'boolean' },
    format: { type: 'string' },
    cluster: { type: 'string' },
    index: { type: 'string' },
    'cluster-repair': { type: 'boolean' },
    'no-grounding': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  if (values.repair && values['no-repair']) throw new UsageError('distillery generate: --repair and --no-repair contradict each other; give one');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`distillery generate: --format must be text or json, got "${format}"`);
  const overrides: Partial<TeacherSettings> = {
    model: values.model,
    baseUrl: values['base-url'],
    concurrency: numberFlag('concurrency', values.concurrency, { min: 1, integer: true }),
    maxRetries: numberFlag('max-retries', values['max-retries'], { min: 0, integer: true }),
    budgetUsd: numberFlag('budget-usd', values['budget-usd'], { min: 0 }),
    repair: values.repair ? true : values['no-repair'] ? false : undefined,
    repairRounds: numberFlag('repair-rounds', values['repair-rounds'], { min: 0, integer: true }),
    samples: numberFlag('samples', values.samples, { min: 1, integer: true }),
    temperature: numberFlag('temperature', values.temperature, { min: 0 }),
    timeoutSec: numberFlag('timeout-sec', values['timeout-sec'], { min: 0.001 }),
    requestsPerMinute: numberFlag('rpm', values.rpm, { min: 1, integer: true }),
    tokensPerMinute: numberFlag('tpm', values.tpm, { min: 1, integer: true }),
  } as Partial<TeacherSettings>;
  const synthesize = numberFlag('synthesize', values.synthesize, { min: 1, integer: true });
  // Checked before anything is read or written: a bad URL would otherwise fail every question.
  const badUrl = values['base-url'] === undefined ? undefined : checkBaseUrl(values['base-url']);
  if (badUrl) throw new UsageError(`distillery generate: --base-url: ${badUrl}`);

  let session: TeacherSession;
  try {
    session = await openSession({ datasetPath: values.dataset, cwd: process.cwd(), overrides, mappingPath: values.mapping });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  if (!values.dataset && !session.configFile) throw new UsageError('distillery generate: --dataset is required (or a distillery.json in the current directory naming the dataset)');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (values['no-grounding'] && (values.cluster || values['cluster-repair'])) throw new UsageError('distillery generate: --no-grounding contradicts --cluster / --cluster-repair; give one');
  if (values.index && !values.cluster) throw new UsageError('distillery generate: --index needs --cluster C');
  // Grounding comes before the plan: the sampled values are part of the prompt hash.
  const grounding = values['no-grounding'] ? undefined : values.cluster ? { ...session.settings.grounding, cluster: values.cluster, index: values.index ?? (values.cluster === session.settings.grounding?.cluster ? session.settings.grounding?.index : undefined) } : session.settings.grounding;
  const wantClusterRepair = values['cluster-repair'] || (session.settings.clusterRepair && !values['no-grounding']);
  // Before anything is sent: a budget that would count every request as $0 protects nothing.
  const budgetProblem = values['batch-poll'] || values.estimate || values['dry-run'] ? undefined : unpricedBudget(session);
  if (budgetProblem) throw new UsageError(`distillery generate: ${budgetProblem}`);
  if (wantClusterRepair && !grounding) throw new UsageError('distillery generate: --cluster-repair (teacher.clusterRepair) needs a cluster: pass --cluster C or set teacher.grounding in distillery.json');
  const print = (text: string, json: unknown) => process.stdout.write(format === 'json' ? JSON.stringify(json) + '\n' : text + '\n');
  const apiKey = process.env['OPENAI_API_KEY'];
  const clientFor = () => {
    try {
      return createClient(session, { apiKey, onRetry: (r) => log(`retry ${r.attempt} in ${(r.delayMs / 1000).toFixed(2)}s: ${r.reason}`) });
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  };

  // Ctrl+C: first stops new requests, second drops in-flight ones.
  const stop = new AbortController();
  const abort = new AbortController();
  const onSigint = () => {
    if (!stop.signal.aborted) {
      log('stopping: no new requests; waiting for the ones in flight (Ctrl+C again to drop them)');
      stop.abort();
    } else abort.abort();
  };
  let groundingLine: string | undefined;
  let closeCluster = async () => {};
  process.on('SIGINT', onSigint);
  try {
    if (grounding && values.synthesize === undefined) {
      // Loaded only when grounding: the Elasticsearch client is a large module a plain run never needs.
      const [{ openCluster }, { clusterCheck, groundSession }, { ClusterError }] = await Promise.all([import('../cluster'), import('../../core/teacher/grounding'), import('../../core/elasticsearch')]);
      const { cluster, index } = await openCluster(grounding.cluster, grounding.index, session.configFile ?? session.datasetPath);
      closeCluster = () => cluster.close();
      try {
        const g = await groundSession(session, { cluster, index, maxFields: grounding.maxFields ?? 20, maxValues: grounding.maxValues ?? 10, cacheTtlMinutes: grounding.cacheTtlMinutes ?? 60 });
        groundingLine = g.fields ? `grounding: ${g.fields} field(s) of ${index} on ${cluster.name}${g.cached ? ' (cached)' : ''}` : `grounding: ${index} on ${cluster.name} has no values to sample (no documents, or no keyword, numeric or date fields); the prompt is not grounded`;
        log(groundingLine);
      } catch (e) {
        // Stopping (rather than going on ungrounded) keeps the prompt hash honest: answers made
        // without the values would be redone, and paid again, by the next grounded run.
        if (e instanceof ClusterError) throw new UserError(`grounding failed, nothing was sent to the teacher: ${e.message}. Fix the cluster, or run with --no-grounding to generate without real values`);
        throw e;
      }
      if (wantClusterRepair) session.clusterCheck = clusterCheck(cluster, index, log);
    }
    if (values['batch-poll']) {
      const client = clientFor();
      const result = await pollBatches(session, client, { wait: values.wait ?? false, signal: stop.signal, onLog: log }).catch(teacherFailure);
      print(result.lines.join('\n') || 'no batches submitted for this dataset', result);
      return result.failed ? EXIT.failed : EXIT.ok;
    }
    if (synthesize !== undefined) {
      const client = clientFor();
      // With --synthesize, --questions are seeds: examples of the kind of question wanted.
      const seeds = values.questions ? await readQuestions(values.questions).catch((e: unknown) => {
        throw new UserError((e as Error).message);
      }) : [];
      const result = await synthesizeQuestions(session, client, { count: synthesize, seeds, signal: abort.signal }).catch(teacherFailure);
      const short = result.added.length < synthesize ? `\nnote: asked for ${synthesize}, got ${result.added.length}; run --synthesize again for more` : '';
      print(`added ${result.added.length} new pending question(s) (${result.duplicates} duplicates dropped${result.discarded ? `, ${result.discarded} line(s) that are not questions ignored` : ''}), ${formatUsd(result.costUsd)}${short}\n${result.added.map((r) => `  ${r.question}`).join('\n')}`, result);
      return EXIT.ok;
    }
    let questions: string[] = [];
    if (values.questions) {
      try {
        questions = await readQuestions(values.questions);
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    }
    const plan = planQuestions(session.dataset.records(), questions, session.promptHash);
    const batch = values.batch ?? false;
    const est = estimateRun(plan.todo, { model: session.settings.model, samples: session.settings.samples, prices: session.prices, templates: session.templates, mapping: session.mapping, fewShot: session.fewShot }, averageOutputTokens(session.dataset.records()), batch);
    // Repair rounds are not predicted, so with repair on the figures are a floor.
    const repairs = session.settings.repair && session.settings.repairRounds > 0;
    const estimateLine = `${plan.todo.length} question(s) to answer (${plan.skipped} already answered): ${repairs ? 'at least' : 'about'} ${est.requests.toLocaleString('en-US')} requests, ${repairs ? '≥' : '~'}${formatUsd(est.costUsd)}${repairs ? ' (more if answers need repair rounds)' : ''}${est.priced ? '' : ` (no price known for ${session.settings.model}: add teacher.prices to distillery.json)`}${session.settings.budgetUsd !== undefined ? `, budget ${formatUsd(session.settings.budgetUsd)}` : ''}`;
    if (values.estimate || values['dry-run']) {
      print(estimateLine, { questions: plan.todo.length, skipped: plan.skipped, ...est, floor: repairs, promptHash: session.promptHash });
      return EXIT.ok;
    }
    log(estimateLine);
    if (plan.todo.length === 0) {
      print(`nothing to do: ${plan.skipped} question(s) already answered for prompt ${session.promptHash}`, { questions: 0, skipped: plan.skipped });
      return EXIT.ok;
    }
    const client = clientFor();
    if (batch) {
      const submitted = await submitBatch(session, client, plan.todo, { signal: abort.signal }).catch(teacherFailure);
      print(`submitted batch ${submitted.batchId} with ${submitted.requests} request(s); run \`distillery generate --dataset ${values.dataset ?? session.datasetPath} --batch-poll\` to merge the results`, submitted);
      return EXIT.ok;
    }
    const generator = createGenerator(session, client, {
      stopSignal: stop.signal,
      abortSignal: abort.signal,
      onLog: (line) => log(line),
      onProgress: (p) => {
        if (p.last) log(`[${p.done}/${p.total}] ${formatUsd(p.costUsd)} so far`);
      },
    });
    const summary = await generator.run(plan.todo);
    print(summaryText(summary, plan.skipped) + (groundingLine ? `\n${groundingLine}${session.clusterCheck ? '; answers checked on the cluster' : ''}` : ''), { ...summary, skipped: plan.skipped, promptHash: session.promptHash, ...(groundingLine ? { grounding: groundingLine, clusterRepair: session.clusterCheck !== undefined } : {}) });
    return exitCodeFor(summary, abort.signal.aborted);
  } finally {
    process.off('SIGINT', onSigint);
    await closeCluster();
  }
}
