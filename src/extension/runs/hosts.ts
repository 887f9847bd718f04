// The hosts the Runs side knows, one entry per machine: distillery.json profiles, hosts added by
// hand and the built-in `local`, identified by target, so the sample's "this machine" (target
// local) and `local` are one host with one list of runs. Also which Python a host runs: the
// profile's `python`, else (this machine) the interpreter picked with "Select Python Interpreter"
// or a workspace virtual environment, else the core's default (~/.distillery/venv, python3).
// distillery.json is re-read on every change, so a `python` added there applies without a reload.
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { HostProfile } from '../../core/project/config';
import type { Host } from '../../core/remote/host';
import { openHost } from '../../core/remote/open-host';
import { schedulerSettingsOf, type SchedulerSettings } from '../../core/remote/schedulers/settings';
import { resolveTarget } from '../../core/remote/ssh-target';
import type { Context } from '../ctx';
import { workspaceProject } from '../project';
import { autoInterpreter, findInterpreters, type InterpreterCandidate } from './interpreters';
import { connectPrompts } from './prompts';

const ADDED_HOSTS_KEY = 'distillery.addedHosts';
const PYTHON_KEY = 'distillery.localPython';

export interface HostEntry {
  /** What the user sees and what runs are filed under. */
  name: string;
  target: string;
  profile?: HostProfile;
  /** Where it came from, for pickers. */
  source: 'distillery.json' | 'added' | 'built-in';
}

export function isLocalTarget(target: string): boolean {
  try {
    return resolveTarget(target).kind === 'local';
  } catch {
    return false;
  }
}

/** Normalised identity of a target: every spelling of this machine is "local". */
function targetKey(target: string): string {
  return isLocalTarget(target) ? 'local' : target.trim().toLowerCase();
}

/** The machine an entry stands for: its target and how jobs start there (a Slurm login node is another host than the same machine without it). */
function machineKey(e: { target: string; profile?: HostProfile }): string {
  const scheduler = e.profile?.scheduler ?? 'none';
  return scheduler === 'none' ? targetKey(e.target) : `${targetKey(e.target)}\0${scheduler}`;
}

export class Hosts implements vscode.Disposable {
  private readonly open = new Map<string, Host>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Context) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/distillery.json');
    const reload = (): void => {
      // Profiles are read on every call; only the opened connections carry old settings
      // (identityFile, remoteHome): drop them so the next call opens them afresh.
      for (const h of this.open.values()) h.close();
      this.open.clear();
      ctx.log.info('distillery.json changed: hosts reloaded');
      this.changed.fire();
    };
    this.disposables.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload), this.changed);
  }

  private profiles(): HostProfile[] {
    return workspaceProject(this.ctx)?.hosts ?? [];
  }

  /** Every host once: profiles first, then hosts added by hand, then `local` unless a profile already is this machine. */
  entries(): HostEntry[] {
    const out: HostEntry[] = [];
    const seenTargets = new Set<string>();
    const seenNames = new Set<string>();
    const add = (e: HostEntry): void => {
      const key = machineKey(e);
      // A profile with its own settings (python, identity) for the same target stays separate
      // only if it differs; the built-in and added entries never duplicate a profile.
      if (seenNames.has(e.name) || (e.source !== 'distillery.json' && seenTargets.has(key))) return;
      seenNames.add(e.name);
      seenTargets.add(key);
      out.push(e);
    };
    for (const p of this.profiles()) add({ name: p.name, target: p.target, profile: p, source: 'distillery.json' });
    for (const h of this.ctx.extension.globalState.get<string[]>(ADDED_HOSTS_KEY, [])) add({ name: h, target: h, source: 'added' });
    add({ name: 'local', target: 'local', source: 'built-in' });
    return out;
  }

  names(): string[] {
    return this.entries().map((e) => e.name);
  }

  /** The entry for a name; a name that is not listed is a target typed in (or an ssh alias). */
  entry(name: string): HostEntry {
    const byName = this.entries().find((e) => e.name === name);
    if (byName) return byName;
    // `local` asked for by name when a profile is this machine: that profile.
    const byTarget = this.entries().find((e) => machineKey(e) === targetKey(name));
    return byTarget ?? { name, target: name, source: 'added' };
  }

  async addTyped(target: string): Promise<void> {
    const g = this.ctx.extension.globalState;
    await g.update(ADDED_HOSTS_KEY, [...new Set([...g.get<string[]>(ADDED_HOSTS_KEY, []), target])]);
    this.changed.fire();
  }

  /** The host for a name; `scheduler` overrides the profile's for one launch (the Launch dialog's "Run on"). */
  host(name: string, scheduler?: SchedulerSettings): Host {
    const e = this.entry(name);
    const key = `${machineKey(e)}\0${e.profile?.identityFile ?? ''}\0${e.profile?.remoteHome ?? ''}\0${JSON.stringify([e.profile?.slurm, e.profile?.ray])}${scheduler ? `\0${JSON.stringify(scheduler)}` : ''}`;
    let host = this.open.get(key);
    if (!host) {
      host = openHost(e.target, {
        ...connectPrompts(this.ctx.extension.secrets, this.ctx.log),
        ...(e.profile?.identityFile ? { identityFile: e.profile.identityFile } : {}),
        ...(e.profile?.remoteHome ? { remoteHome: e.profile.remoteHome } : {}),
        ...(scheduler ? { scheduler } : e.profile?.scheduler ? { scheduler: schedulerSettingsOf(e.profile) } : {}),
      });
      this.open.set(key, host);
    }
    return host;
  }

  interpreters(): InterpreterCandidate[] {
    return findInterpreters({
      ...(this.ctx.workspaceRoot?.scheme === 'file' ? { workspaceRoot: this.ctx.workspaceRoot.fsPath } : {}),
      extensionPath: this.ctx.extension.extensionPath,
      home: process.env['DISTILLERY_REMOTE_HOME'] || homedir(),
    });
  }

  /** The Python a run on this host uses, and why (for messages); undefined: the core's default. */
  python(name: string): { path: string; why: string } | undefined {
    const e = this.entry(name);
    if (e.profile?.python) return { path: e.profile.python, why: `"python" of host "${e.name}" in distillery.json` };
    if (!isLocalTarget(e.target)) return undefined;
    const picked = this.ctx.extension.workspaceState.get<string>(PYTHON_KEY);
    if (picked) return { path: picked, why: 'picked with "Distillery: Select Python Interpreter"' };
    const auto = autoInterpreter(this.interpreters());
    return auto ? { path: auto.path, why: `found in the ${auto.source}` } : undefined;
  }

  pickedPython(): string | undefined {
    return this.ctx.extension.workspaceState.get<string>(PYTHON_KEY);
  }

  async setPickedPython(path: string | undefined): Promise<void> {
    await this.ctx.extension.workspaceState.update(PYTHON_KEY, path);
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
