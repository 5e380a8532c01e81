import { parseArgs } from 'node:util';
import { isPayrailError } from '@payrail/core';
import { COMMANDS } from './commands';

function usage(): string {
  return ['Usage:', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

/** Parses argv, runs one command, and returns the process exit code (errors print their stable code). */
export async function runCli(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    // Every value-taking flag must be declared, or `--name "My Shop"` would parse as a boolean.
    options: {
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      email: { type: 'string' },
      merchant: { type: 'string' },
      login: { type: 'string' },
      role: { type: 'string' },
      rules: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      mode: { type: 'string' },
      'no-lists': { type: 'boolean' },
    },
  });
  const [first = 'help', second] = positionals;
  const name = COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first;
  const command = COMMANDS[name];
  if (!command || values.help) {
    const out = command || first === 'help' || values.help ? process.stdout : process.stderr;
    out.write(`${command ? command.usage : usage()}\n`);
    return command || first === 'help' || values.help ? 0 : 2;
  }
  try {
    await command.run(values);
    return 0;
  } catch (error) {
    if (isPayrailError(error)) {
      process.stderr.write(`error ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
