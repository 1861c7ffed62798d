import { parseArgs } from 'node:util';
import { ConfigError } from './config.ts';
import { isAppError } from './errors.ts';
import { createOut } from './cli/output.ts';
import { COMMANDS } from './cli/commands.ts';
import { GLOBAL_OPTIONS, type CommandSpec } from './cli/command-kit.ts';

const USAGE = `graphistry-admin: the Graphistry Admin embedded account server and its tools

Usage: npx graphistry-admin <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`).join('\n')}

Global options:
  --data-dir DIR        data folder with the database and .env (default ./data or $GRAPHISTRY_ADMIN_DATA)
  --database-url URL    use PostgreSQL instead of SQLite (or $DATABASE_URL)
  --json                machine-readable output
  -h, --help            help for a command: npx graphistry-admin <command> --help
`;

function commandHelp(c: CommandSpec): string {
  const opts = Object.entries(c.options ?? {}).map(([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(25) + ' ' + (o.help ?? ''));
  return `Usage: npx graphistry-admin ${c.name}${c.args ? ' ' + c.args : ''} [options]\n\n${c.summary}\n${c.details ? '\n' + c.details + '\n' : ''}\nOptions:\n${opts.join('\n')}${opts.length ? '\n' : ''}${USAGE.slice(USAGE.indexOf('Global options:'))}`;
}

/** Run the CLI; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  const spec = COMMANDS.find((c) => c.name === words.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === words[0]);
  if (!spec) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
    process[wantsHelp ? 'stdout' : 'stderr'].write((wantsHelp ? '' : `Unknown command: ${words.join(' ') || argv[0]}\n\n`) + USAGE);
    return wantsHelp ? 0 : 2;
  }
  const rest = argv.slice(spec.name.split(' ').length);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...GLOBAL_OPTIONS,
        ...Object.fromEntries(
          Object.entries(spec.options ?? {}).map(([k, o]) => [
            k,
            { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
          ]),
        ),
      },
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${commandHelp(spec)}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  const out = createOut(Boolean(parsed.values.json));
  try {
    return (await spec.run({ values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals, out })) ?? 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      return 1;
    }
    if (isAppError(e)) {
      if (out.json) process.stdout.write(JSON.stringify({ error: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) }) + '\n');
      process.stderr.write(`error ${e.code}: ${e.message}\n${(e.fields ?? []).map((f) => `  ${f.field}: ${f.message}\n`).join('')}`);
      return 1;
    }
    if ((e as { usage?: boolean }).usage) {
      process.stderr.write(`${(e as Error).message}\n\n${commandHelp(spec)}`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}
