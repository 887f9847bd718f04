// Which Python runs training on this machine, chosen the way the Python extension chooses: a
// virtual environment in the workspace (`.venv`, `python-runner/.venv`) is found by itself, the
// Distillery venv made by "Set Up Python Environment" next, then `python3` on PATH; "Select Python
// Interpreter" lists them (marking the ones that hold torch) and takes any path typed in.
// The filesystem checks are cheap (no interpreter is started), so the list opens at once.
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface InterpreterCandidate {
  path: string;
  /** Where it was found, for the picker ("workspace .venv"). */
  source: string;
  /** The environment's site-packages holds torch (the runner's heaviest requirement). */
  hasTorch: boolean;
}

/** A venv's python, when the folder is one. */
function venvPython(dir: string): string | undefined {
  for (const name of ['bin/python', 'bin/python3']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Looks for torch in <venv>/lib/python3.*\/site-packages without starting Python. */
export function venvHasTorch(python: string): boolean {
  const venv = join(python, '..', '..');
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return false;
  try {
    return readdirSync(lib).some((d) => d.startsWith('python') && existsSync(join(lib, d, 'site-packages', 'torch')));
  } catch {
    return false;
  }
}

/** Environments found on this machine, in the order they are preferred. */
export function findInterpreters(opts: { workspaceRoot?: string; extensionPath?: string; home?: string; distilleryHome?: string }): InterpreterCandidate[] {
  const found: InterpreterCandidate[] = [];
  const add = (dir: string | undefined, source: string): void => {
    if (!dir) return;
    const python = venvPython(dir);
    if (python && !found.some((c) => c.path === python)) found.push({ path: python, source, hasTorch: venvHasTorch(python) });
  };
  if (opts.workspaceRoot) {
    add(join(opts.workspaceRoot, '.venv'), 'workspace .venv');
    add(join(opts.workspaceRoot, 'venv'), 'workspace venv');
    add(join(opts.workspaceRoot, 'python-runner', '.venv'), 'workspace python-runner/.venv');
  }
  if (opts.extensionPath) add(join(opts.extensionPath, 'python-runner', '.venv'), "Distillery's python-runner/.venv");
  add(join(opts.distilleryHome ?? opts.home ?? homedir(), '.distillery', 'venv'), 'made by Set Up Python Environment');
  return found;
}

/** The workspace's own environment, picked without asking (as the Python extension does with a workspace .venv). */
export function autoInterpreter(candidates: InterpreterCandidate[]): InterpreterCandidate | undefined {
  const own = candidates.filter((c) => c.source.startsWith('workspace'));
  return own.find((c) => c.hasTorch) ?? own[0];
}
