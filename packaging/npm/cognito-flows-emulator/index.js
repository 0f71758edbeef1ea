'use strict';
// The cognito-emulator binary for JS test suites: start it on a free port of 127.0.0.1, read the
// codes it sends, reset it, stop it. The binary comes in the package of this platform
// (cognito-flows-emulator-<os>-<cpu>, an optional dependency npm installs only where it runs).
// Node 18 or later; no dependencies. Passwords reach the binary in a config file readable by the
// owner only, never on its command line.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PLATFORMS = require('./platforms.json');

/** The user set up when neither `users` nor `config` is given. */
const DEFAULT_USERNAME = 'alice';
/** Its password. */
const DEFAULT_PASSWORD = 'Passw0rd!';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
// Environment variables the binary reads: the options say everything on its command line.
const BINARY_ENV = ['COGNITO_EMULATOR_CONFIG', 'COGNITO_EMULATOR_DATA', 'COGNITO_EMULATOR_PASSWORD'];
const MFA = ['off', 'optional', 'required'];
const DEVICE_TRACKING = ['off', 'always', 'user-opt-in'];
const USER_KEYS = [
  'username', 'password', 'temporary', 'confirmed', 'enabled', 'sms_mfa', 'totp_secret', 'groups',
  'attributes',
];

/** The package that carries the binary for this platform. */
function platformPackage(platform = process.platform, arch = process.arch) {
  const key = `${platform}-${arch}`;
  if (!Object.hasOwn(PLATFORMS, key)) {
    throw new Error(
      `cognito-flows-emulator has no binary for ${key} (only ${Object.keys(PLATFORMS).join(', ')}): ` +
        'set COGNITO_EMULATOR_BINARY to a cognito-emulator you built',
    );
  }
  return `cognito-flows-emulator-${key}`;
}

/**
 * The path of the cognito-emulator binary: $COGNITO_EMULATOR_BINARY when set, else the one of
 * this platform's package.
 */
function binaryPath() {
  const given = process.env.COGNITO_EMULATOR_BINARY;
  if (given) return given;
  const name = platformPackage();
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(
      `${name} is not installed: npm installs it with cognito-flows-emulator unless optional ` +
        'dependencies are left out (--omit=optional, --no-optional); install it, or set ' +
        'COGNITO_EMULATOR_BINARY',
    );
  }
  return path.join(path.dirname(manifest), 'bin', 'cognito-emulator');
}

function choice(name, value, choices) {
  if (value !== undefined && !choices.includes(value)) {
    throw new TypeError(`${name}: ${JSON.stringify(value)} is not one of ${choices.join(', ')}`);
  }
}

function userEntry(user) {
  const entry = typeof user === 'string' ? { username: user } : { ...user };
  const unknown = Object.keys(entry).filter((k) => !USER_KEYS.includes(k));
  if (unknown.length) {
    throw new TypeError(`unknown user keys ${unknown.join(', ')}: the keys are ${USER_KEYS.join(', ')}`);
  }
  if (!entry.username) throw new TypeError(`a user needs a username: ${JSON.stringify(user)}`);
  entry.password ??= DEFAULT_PASSWORD;
  entry.attributes ??= { email: `${entry.username}@example.com`, email_verified: 'true' };
  return entry;
}

// What must not change across a restart: every pool and client id and secret.
function ids(line) {
  return JSON.stringify(
    (line.pools || []).map((p) => [p.pool_id, (p.clients || []).map((c) => [c.client_id, c.client_secret])]),
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const running = new Set();
process.on('exit', () => {
  // The last resort when a suite forgot stop(): signals are synchronous.
  for (const emulator of running) emulator.child?.kill('SIGTERM');
});

/**
 * One running cognito-emulator process and what it set up (the first pool's ids at the top,
 * every pool in `pools`). A reset or a restart keeps the endpoint and every id. Build it with
 * `start()`.
 */
class Emulator {
  constructor(args, workdir, passwords, binary) {
    this.args = args;
    this.workdir = workdir;
    this.binary = binary;
    /** The passwords of the users set up through `users` (not those of a config file). */
    this.passwords = passwords;
    this.child = null;
    this.port = 0;
    this.resetAnswered = undefined;
    this.info = null;
  }

  async launch() {
    const outPath = path.join(this.workdir, 'stdout');
    const out = fs.openSync(outPath, 'w');
    const log = fs.openSync(path.join(this.workdir, 'stderr'), 'a');
    const env = { ...process.env };
    for (const name of BINARY_ENV) delete env[name];
    // Port 0 picks a free port (over a config file's); a restart asks for the same one again.
    const child = spawn(this.binary, [...this.args, '--port', String(this.port)], {
      stdio: ['ignore', out, log],
      env,
      cwd: this.workdir,
    });
    fs.closeSync(out);
    fs.closeSync(log);
    let exited = null;
    let failed = null;
    child.on('exit', (code, signal) => {
      exited = signal ?? code;
    });
    child.on('error', (error) => {
      failed = error;
    });
    // A process that was never awaited must not keep a test runner's process alive.
    child.unref();
    this.child = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    let text = '';
    while (!text.includes('\n')) {
      if (failed) throw new Error(`cannot run ${this.binary}: ${failed.message}`);
      if (exited !== null) {
        this.child = null;
        throw new Error(`cognito-emulator exited with ${exited} before it printed its line:\n${this.log()}`);
      }
      if (Date.now() > deadline) {
        await this.terminate();
        throw new Error(`cognito-emulator printed nothing in ${START_TIMEOUT_MS / 1000} s:\n${this.log()}`);
      }
      await sleep(10);
      text = fs.readFileSync(outPath, 'utf8');
    }
    const line = JSON.parse(text.slice(0, text.indexOf('\n')));
    if (this.info && ids(line) !== ids(this.info)) {
      await this.terminate();
      throw new Error('cognito-emulator came back with other ids than at its first start');
    }
    this.info = line;
    /** `http://127.0.0.1:PORT/`: Cognito's API, the OAuth endpoints and the test controls. */
    this.endpoint = line.endpoint;
    this.port = Number(new URL(line.endpoint).port);
    this.region = line.region;
    this.poolId = line.pool_id;
    this.clientId = line.client_id;
    this.clientSecret = line.client_secret ?? null;
    this.issuer = line.issuer;
    this.jwksUri = line.jwks_uri;
    this.pools = (line.pools || []).map((p) => ({
      name: p.name,
      poolId: p.pool_id,
      issuer: p.issuer,
      jwksUri: p.jwks_uri,
      clients: (p.clients || []).map((c) => ({
        name: c.name,
        clientId: c.client_id,
        clientSecret: c.client_secret ?? null,
      })),
      users: p.users || [],
    }));
    this.clients = this.pools[0]?.clients ?? [];
    this.users = line.users || [];
  }

  /** Whether the process is alive. */
  get running() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the emulator wrote to stderr (its set-up, the codes it sent), for error messages. */
  log() {
    try {
      return fs.readFileSync(path.join(this.workdir, 'stderr'), 'utf8');
    } catch {
      return '';
    }
  }

  async terminate() {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  }

  /** Stops the emulator (SIGTERM, then SIGKILL after 10 s) and removes its files. */
  async stop() {
    await this.terminate();
    running.delete(this);
    fs.rmSync(this.workdir, { recursive: true, force: true });
  }

  /** Stops the process and starts it again with the same set-up, port and ids. */
  async restart() {
    await this.terminate();
    await this.launch();
  }

  /**
   * Brings the emulator back to the state right after its start: `POST /_emulator/reset` when
   * the binary answers it (and the first pool is still there afterwards), else a restart (it
   * starts in well under a second). The endpoint and every id stay the same. Resolves to
   * `'reset'` or `'restart'`: what it did.
   */
  async reset() {
    if (this.resetAnswered !== false && this.running) {
      let status = 0;
      try {
        const answer = await fetch(`${this.endpoint}_emulator/reset`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        await answer.arrayBuffer();
        status = answer.status;
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        this.resetAnswered = true;
        // A reset must bring back the pools of the set-up: the ids the tests hold.
        const pool = await fetch(`${this.endpoint}${this.poolId}/.well-known/jwks.json`);
        await pool.arrayBuffer();
        if (pool.status === 200) return 'reset';
      } else {
        this.resetAnswered = false;
      }
    }
    await this.restart();
    return 'restart';
  }

  /**
   * Every message the emulator sent (sign-up, password reset, attribute verification, SMS MFA
   * codes), oldest first, for one user and pool when given: `{pool_id, username, medium,
   * destination, purpose, code}`.
   */
  async outbox({ username, poolId } = {}) {
    return outbox(this.endpoint, { username, poolId });
  }

  /** The last code sent to `username` (in `poolId`, else in any pool), or `null`. */
  async lastCode(username, { poolId } = {}) {
    return lastCode(this.endpoint, username, { poolId });
  }

  /** The first pool's app client called `name`. */
  client(name) {
    const found = this.clients.find((c) => c.name === name);
    if (!found) {
      throw new Error(`no app client ${JSON.stringify(name)}: the clients are ${this.clients.map((c) => c.name).join(', ')}`);
    }
    return found;
  }
}

async function outbox(endpoint, { username, poolId } = {}) {
  const query = new URLSearchParams();
  if (username !== undefined) query.set('username', username);
  if (poolId !== undefined) query.set('pool_id', poolId);
  const suffix = query.toString() ? `?${query}` : '';
  const answer = await fetch(`${endpoint}_emulator/outbox${suffix}`);
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`the outbox answered ${answer.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text).messages;
}

async function lastCode(endpoint, username, { poolId } = {}) {
  const messages = await outbox(endpoint, { username, poolId });
  return messages.length ? messages[messages.length - 1].code : null;
}

/**
 * Starts cognito-emulator on a free port of 127.0.0.1, in memory, and resolves to the running
 * `Emulator`.
 *
 * Options: `config` (a config file, TOML or JSON ending in .json); `users` (names, or objects
 * with the keys of a config file's [[users]]; not together with `config`; default: `alice`,
 * password `Passw0rd!`, verified email); `mfa` ('off' | 'optional' | 'required'),
 * `deviceTracking` ('off' | 'always' | 'user-opt-in'), `clientSecret`,
 * `preventUserExistenceErrors`, `callbackUrls`, `fixedCode`, `region`: the binary's flags over
 * the config file; `seed` (ids, codes and salts reproducible; random when not given, the same
 * across restarts); `binary` (default: `binaryPath()`).
 */
async function start(options = {}) {
  const known = [
    'config', 'users', 'mfa', 'deviceTracking', 'clientSecret', 'preventUserExistenceErrors',
    'callbackUrls', 'fixedCode', 'region', 'seed', 'binary',
  ];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`unknown options ${unknown.join(', ')}: the options are ${known.join(', ')}`);
  if (options.config !== undefined && options.users !== undefined) {
    throw new TypeError('users go in the config file when there is one');
  }
  choice('mfa', options.mfa, MFA);
  choice('deviceTracking', options.deviceTracking, DEVICE_TRACKING);
  // Absolute: the binary runs in a directory of its own.
  const binary = path.resolve(options.binary ?? binaryPath());
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cognito-emulator-'));
  try {
    const seed = options.seed ?? crypto.randomBytes(16).toString('hex');
    const args = ['--memory', '--seed', seed];
    let passwords = {};
    if (options.config !== undefined) {
      args.push('--config', path.resolve(String(options.config)));
    } else {
      const entries = (options.users ?? [DEFAULT_USERNAME]).map(userEntry);
      passwords = Object.fromEntries(entries.map((e) => [e.username, e.password]));
      const generated = path.join(workdir, 'config.json');
      // Owner-only: the file holds passwords.
      fs.writeFileSync(generated, JSON.stringify({ users: entries }), { mode: 0o600, flag: 'wx' });
      args.push('--config', generated);
    }
    if (options.mfa !== undefined) args.push('--mfa', options.mfa);
    if (options.deviceTracking !== undefined) args.push('--device-tracking', options.deviceTracking);
    if (options.clientSecret) args.push('--client-secret');
    if (options.preventUserExistenceErrors !== undefined) {
      args.push('--prevent-user-existence-errors', options.preventUserExistenceErrors ? 'true' : 'false');
    }
    for (const url of options.callbackUrls ?? []) args.push('--callback-url', url);
    if (options.fixedCode !== undefined) args.push('--fixed-code', options.fixedCode);
    if (options.region !== undefined) args.push('--region', options.region);
    const emulator = new Emulator(args, workdir, passwords, binary);
    running.add(emulator);
    try {
      await emulator.launch();
    } catch (error) {
      running.delete(emulator);
      throw error;
    }
    return emulator;
  } catch (error) {
    fs.rmSync(workdir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The part of the API that needs only the endpoint, for test files in other processes than the
 * one that started the emulator (a vitest or jest global set-up hands them `emulator.info`):
 * the ids, `outbox()` and `lastCode()`. Resetting is the starter's `reset()`.
 */
function connect(info) {
  const endpoint = info.endpoint;
  return {
    info,
    endpoint,
    region: info.region,
    poolId: info.pool_id,
    clientId: info.client_id,
    clientSecret: info.client_secret ?? null,
    outbox: (query) => outbox(endpoint, query),
    lastCode: (username, query) => lastCode(endpoint, username, query),
  };
}

module.exports = { start, connect, binaryPath, platformPackage, DEFAULT_USERNAME, DEFAULT_PASSWORD };
