// The VS Code side of connecting: an unknown host key shows its fingerprint and asks (a changed
// key is refused by the core, never asked about), passphrases are asked once and kept in
// SecretStorage only when the user agrees, keyboard-interactive/2FA prompts are input boxes.
import * as vscode from 'vscode';
import type { ConnectOptions } from '../../core/remote/ssh-connection';

const passphraseKey = (file: string): string => `distillery.ssh.passphrase:${file}`;

export function connectPrompts(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): ConnectOptions {
  return {
    confirmHostKey: async (q) => {
      const trust = 'Trust and Connect';
      const choice = await vscode.window.showWarningMessage(
        `The host key of ${q.label} (${q.name}) is not known.`,
        { modal: true, detail: `${q.keyType} key fingerprint:\n${q.fingerprint}\n\nCompare it with the fingerprint the host's owner gives you (ssh-keygen -lf /etc/ssh/ssh_host_${q.keyType.replace(/^ssh-/, '').replace(/-.*/, '')}_key.pub on the host). Trusting adds it to your known_hosts.` },
        trust,
      );
      return choice === trust;
    },
    passphrase: async (file) => {
      const stored = await secrets.get(passphraseKey(file));
      if (stored !== undefined) return stored;
      const pass = await vscode.window.showInputBox({ title: `Passphrase for ${file}`, password: true, ignoreFocusOut: true, prompt: 'The key is encrypted. Load it into ssh-agent to skip this question.' });
      if (pass === undefined) return undefined;
      const remember = await vscode.window.showInformationMessage(`Remember the passphrase for ${file} in VS Code's secret storage?`, 'Remember', 'Not Now');
      if (remember === 'Remember') await secrets.store(passphraseKey(file), pass);
      return pass;
    },
    keyboardInteractive: async (q) => {
      const answers: string[] = [];
      for (const p of q.prompts) {
        const a = await vscode.window.showInputBox({
          title: `${q.label}${q.name ? `: ${q.name}` : ''}`,
          prompt: [q.instructions, p.prompt].filter(Boolean).join(' — '),
          password: !p.echo,
          ignoreFocusOut: true,
        });
        if (a === undefined) return undefined;
        answers.push(a);
      }
      return answers;
    },
    log: (line) => log.info(line),
  };
}

/** Forgets a stored passphrase (after it turned out wrong). */
export function forgetPassphrase(secrets: vscode.SecretStorage, file: string): Thenable<void> {
  return secrets.delete(passphraseKey(file));
}
