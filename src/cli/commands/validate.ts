// Placeholder until the owning work item lands this command.
import { UserError } from '../usage';

export async function run(_argv: string[]): Promise<number> {
  throw new UserError('this command is not available in this build yet', 2);
}
