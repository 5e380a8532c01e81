#!/usr/bin/env node
import { runCli } from './run-cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    // `start` keeps running; every other command exits with its code
    if (code !== 0 || !['start'].includes(process.argv[2] ?? '')) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
