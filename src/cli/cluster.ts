// `--cluster C [--index I]` for CLI commands: resolves C against the nearest distillery.json,
// takes credentials from the environment, and turns configuration mistakes into UserErrors.
import { dirname } from 'node:path';
import { ClusterConfigError, ClusterError, environmentSecrets, ReadOnlyCluster, resolveCluster, resolveIndex } from '../core/elasticsearch';
import { findProjectFile, loadProject, type LoadedProject } from '../core/project/files';
import { EXIT, UserError } from './usage';

export interface CliCluster {
  cluster: ReadOnlyCluster;
  index: string;
  project: LoadedProject | undefined;
}

/** Connects to --cluster; the project is the nearest distillery.json above `near` (else the working directory). */
export async function openCluster(spec: string, index: string | undefined, near?: string): Promise<CliCluster> {
  let project: LoadedProject | undefined;
  try {
    const file = (near ? findProjectFile(dirname(near)) : undefined) ?? findProjectFile(process.cwd());
    if (file) project = loadProject(file);
  } catch (e) {
    throw new UserError((e as Error).message, EXIT.usage);
  }
  try {
    const resolved = resolveCluster(spec, project?.config.clusters ?? [], project?.root);
    const chosenIndex = resolveIndex(resolved, index);
    return { cluster: await ReadOnlyCluster.connect(resolved, environmentSecrets()), index: chosenIndex, project };
  } catch (e) {
    if (e instanceof ClusterConfigError) throw new UserError(e.message, EXIT.usage);
    if (e instanceof ClusterError) throw new UserError(e.message);
    throw e;
  }
}

/** Runs `work`, turning cluster errors into UserErrors (no stack trace: the message names the fix). */
export async function withClusterErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ClusterError) throw new UserError(e.message);
    throw e;
  }
}
