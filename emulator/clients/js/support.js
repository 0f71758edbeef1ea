'use strict';
// Shared by the client checks: what scripts/test-clients started, the emulator's outbox, TOTP
// codes (RFC 6238, computed here as an authenticator app would), a per-"browser" storage, and
// promises over the JS SDK's callbacks.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

/** The line the cognito-emulator binary printed: endpoint, pool_id, client_id, clients, ... */
const info = JSON.parse(process.env.COGNITO_EMULATOR_INFO || 'null');
assert.ok(info && info.endpoint, 'run me through scripts/test-clients (COGNITO_EMULATOR_INFO is not set)');

/** The app client named `name` in the emulator's config. */
function client(name) {
  const found = info.clients.find((c) => c.name === name);
  assert.ok(found, `no client named ${name} in ${JSON.stringify(info.clients.map((c) => c.name))}`);
  return found;
}

/** The messages the emulator "sent" to `username`, oldest first, from GET /_emulator/outbox. */
async function outbox(username) {
  const url = new URL('_emulator/outbox', info.endpoint);
  url.searchParams.set('username', username);
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url} answered ${response.status}`);
  const body = await response.json();
  const messages = Array.isArray(body) ? body : body.messages;
  assert.ok(Array.isArray(messages), `the outbox is not a list: ${JSON.stringify(body)}`);
  return messages;
}

/** The last code sent to `username` (for `purpose`, e.g. SignUp or ForgotPassword, if given). */
async function lastCode(username, purpose) {
  const messages = (await outbox(username)).filter((m) => !purpose || m.purpose === purpose);
  assert.ok(messages.length > 0, `no ${purpose || ''} message for ${username} in the outbox`);
  const code = messages[messages.length - 1].code;
  assert.match(code, /^\d{6}$/);
  return code;
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(ch);
    assert.ok(index >= 0, `not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits, 30 s) of a base32 secret, `steps` periods from now. */
function totp(secretBase32, steps = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + steps;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = crypto.createHmac('sha1', base32Decode(secretBase32)).update(message).digest();
  const offset = digest[19] & 0x0f;
  const word = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(word % 1_000_000).padStart(6, '0');
}

/** A browser's localStorage: each one a device of its own. */
class Storage {
  constructor() {
    this.items = new Map();
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  removeItem(key) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

/** A user pool of the JS SDK for the emulator's first client, keeping tokens in `storage`. */
function userPool(storage) {
  const { CognitoUserPool } = require('amazon-cognito-identity-js');
  return new CognitoUserPool({
    UserPoolId: info.pool_id,
    ClientId: info.client_id,
    endpoint: info.endpoint,
    Storage: storage,
  });
}

/** A promise over a node-style callback API: `call((cb) => user.getSession(cb))`. */
function call(start) {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

/** Asserts that `promise` rejects with the Cognito error `code` (and, if given, a message matching `message`). */
async function refused(promise, code, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code || err.name, code, `expected ${code}, got ${err.code || err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** An AWS SDK v3 Cognito client for the emulator (unsigned calls need dummy credentials). */
function sdkClient() {
  const { CognitoIdentityProviderClient } = require('@aws-sdk/client-cognito-identity-provider');
  return new CognitoIdentityProviderClient({
    region: info.region,
    endpoint: info.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

module.exports = { info, client, outbox, lastCode, totp, Storage, userPool, call, refused, sdkClient };
