// `distillery` command-line entry (docs/ARCHITECTURE.md, "CLI contract"). Each subcommand lives in
// src/cli/commands/<name>.ts and exports `run(argv): Promise<number>` returning the exit code.
import { EXIT, isClosedOutput, UsageError, UserError } from './usage';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  validate: { summary: 'validate Query DSL bodies and datasets', load: () => import('./commands/validate') },
  generate: { summary: 'fill a dataset with teacher rationale + DSL pairs', load: () => import('./commands/generate') },
  export: { summary: 'write train/val/test splits in dss, label-only or chat format', load: () => import('./commands/export') },
  plan: { summary: 'estimate GPU memory and recommend full, LoRA or QLoRA', load: () => import('./commands/plan') },
  train: { summary: 'launch a training run on a host over SSH (or local)', load: () => import('./commands/train') },
  runs: { summary: 'list, follow, cancel and fetch runs on a host', load: () => import('./commands/runs') },
  eval: { summary: 'score predictions against gold DSL', load: () => import('./commands/eval') },
  engine: { summary: 'start or stop a local Elasticsearch node for tests and the demo', load: () => import('./commands/engine') },
  query: { summary: 'run a search body on an Elasticsearch cluster (read-only)', load: () => import('./commands/query') },
  mapping: { summary: 'pull an index mapping from a cluster; report drift', load: () => import('./commands/mapping') },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: distillery <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `distillery <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
    process.stdout.write(`${process.env['DISTILLERY_VERSION'] ?? '0.1.0'}\n`);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`distillery: unknown command "${name}".\n\n${help()}\n`);
    return EXIT.usage;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (e) {
    // The reader of our output went away (`distillery validate … | head`): stop quietly.
    if (isClosedOutput(e)) return EXIT.outputClosed;
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof UserError) {
      process.stderr.write(`distillery ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`distillery ${name}: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.failed;
  }
}

// Asynchronous writes report a closed pipe as an 'error' event: without a listener it would be an
// uncaught exception with a stack trace.
process.stdout.on('error', (e) => {
  if (!isClosedOutput(e)) throw e;
  process.exit(EXIT.outputClosed);
});

// Exit only after stdout drains, so piped output is never cut short.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`distillery: ${String(e)}\n`);
    process.exitCode = EXIT.failed;
  },
);
