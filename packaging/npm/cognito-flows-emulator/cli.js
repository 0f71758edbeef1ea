#!/usr/bin/env node
'use strict';
// `npx cognito-emulator ...`: runs this platform's binary with the same arguments and standard
// streams, passes SIGINT and SIGTERM on to it, and exits with its exit code.
const { spawn } = require('node:child_process');
const { binaryPath } = require('./index.js');

let binary;
try {
  binary = binaryPath();
} catch (error) {
  process.stderr.write(`cognito-emulator: ${error.message}\n`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`cognito-emulator: cannot run ${binary}: ${error.message}\n`);
  process.exit(1);
});
// The binary exits 0 when a signal stops it; a signal that kills it outright is a failure.
child.on('exit', (code) => process.exit(code ?? 1));
