import { createInterface } from 'node:readline';

/** Read a whole line from stdin (for `--password-stdin`). */
export async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 8192) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Ask for a secret on a terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('no terminal to ask for a password on: use --password-stdin or GRAPHISTRY_ADMIN_PASSWORD');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const internal = rl as unknown as { _writeToOutput?: (s: string) => void };
  let asked = false;
  internal._writeToOutput = (s: string) => {
    if (!asked) {
      process.stderr.write(s);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** Ask a question on the terminal and return the answer line (callers check `process.stdin.isTTY` first). */
export async function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}
