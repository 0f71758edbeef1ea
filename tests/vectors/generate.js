// Generates SRP reference vectors with the real amazon-cognito-identity-js: every number comes out
// of the SDK's own code path (CognitoUser.authenticateUser against a fake Cognito client). Only the
// randomness (WordArray.random, which feeds `a`, device passwords and salts) and the clock (Date)
// are fixed, so the output is the same on every run. SECRET_HASH, which the SDK does not support,
// is computed with Node's crypto.
'use strict';

const crypto = require('crypto');
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');
const WordArray = require('amazon-cognito-identity-js/lib/utils/WordArray').default;
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

// --- Injected randomness: WordArray.random(n) hands out queued byte strings of exactly n bytes.
let queue = [];
WordArray.prototype.random = function random(nBytes) {
  const hex = queue.shift();
  if (hex === undefined || hex.length !== nBytes * 2) {
    throw new Error(`unexpected draw of ${nBytes} random bytes (queued: ${hex})`);
  }
  const words = [];
  for (let i = 0; i < nBytes; i += 4) {
    words.push(parseInt(hex.slice(i * 2, i * 2 + 8).padEnd(8, '0'), 16) | 0);
  }
  return new WordArray(words, nBytes);
};

// --- Injected clock: `new Date()` is this instant; DateHelper formats it itself.
const RealDate = Date;
let fixedMs = 0;
global.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixedMs);
    else super(...args);
  }
  static now() {
    return fixedMs;
  }
};

// --- Deterministic values.
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
const hexOf = (label, bytes) => {
  let out = '';
  for (let i = 0; out.length < bytes * 2; i++) out += sha(`${label}/${i}`);
  return out.slice(0, bytes * 2);
};
// `a` as the SDK draws it (128 bytes), holding a 256-bit value.
const smallA = (aHex) => '00'.repeat(96) + aHex;

/// An AuthenticationHelper for our own computations (searches, server side): its `a` is unused.
function helper(poolName) {
  queue.push('00'.repeat(127) + '01');
  return new AuthenticationHelper(poolName);
}

const N = helper('x').N;
const g = new BigInteger('2', 16);
/// The SDK's BigInteger.modPow answers through a callback (synchronously).
function modPow(base, e, m) {
  let result;
  base.modPow(e, m, (err, v) => {
    if (err) throw err;
    result = v;
  });
  return result;
}

function fakeJwt(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`;
}

function storage() {
  const m = new Map();
  return {
    setItem: (k, v) => m.set(k, String(v)),
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    removeItem: (k) => m.delete(k),
    clear: () => m.clear(),
  };
}

/// Runs CognitoUser.authenticateUser against scripted answers; returns the captured requests.
function run({ poolId, clientId, username, password, answers, store }) {
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, Storage: store || storage() });
  const captured = [];
  let step = 0;
  pool.client.request = (operation, params, callback) => {
    captured.push({ operation, params: JSON.parse(JSON.stringify(params)) });
    const answer = answers[step++];
    if (!answer) return callback({ code: 'Stop', message: 'end of script' }, null);
    return callback(null, answer);
  };
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  let finished = false;
  user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
    onSuccess: () => { finished = true; },
    onFailure: (e) => { if (e.code !== 'Stop') throw e; finished = true; },
  });
  if (!finished) throw new Error('the SDK did not finish synchronously');
  if (queue.length) throw new Error(`unused random bytes: ${queue.length}`);
  return captured;
}

const timestamps = [
  Date.UTC(2026, 10, 24, 8, 5, 7),   // Tue Nov 24 08:05:07 UTC 2026
  Date.UTC(2026, 0, 7, 9, 5, 3),     // single-digit day
  Date.UTC(2025, 1, 1, 0, 0, 0),     // midnight, day 1
  Date.UTC(2027, 11, 31, 23, 59, 59),
];
const nowString = (ms) => { fixedMs = ms; return new (require('amazon-cognito-identity-js/lib/DateHelper').default)().getNowString(); };

function secretHash(secret, username, clientId) {
  return crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(username + clientId, 'utf8').digest('base64');
}

// A realistic B: k*v + g^b mod N for the user's verifier.
function serverB(poolName, userId, password, saltHex, bHex) {
  const h = helper(poolName);
  const salt = new BigInteger(saltHex, 16);
  const idHash = h.hash(`${poolName}${userId}:${password}`);
  const x = new BigInteger(h.hexHash(h.padHex(salt) + idHash), 16);
  const v = modPow(g, x, N);
  return h.k.multiply(v).add(modPow(g, new BigInteger(bHex, 16), N)).mod(N).toString(16);
}

function userCase(c) {
  const ms = timestamps[c.ts || 0];
  fixedMs = ms;
  queue = [smallA(c.a)];
  const poolName = c.pool_id.split('_')[1];
  const challenge = {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: 'session',
    ChallengeParameters: {
      SRP_B: c.srp_b, SALT: c.salt, SECRET_BLOCK: c.secret_block,
      USER_ID_FOR_SRP: c.user_id_for_srp, USERNAME: c.user_id_for_srp,
    },
  };
  const captured = run({ poolId: c.pool_id, clientId: c.client_id, username: c.user_id_for_srp, password: c.password, answers: [challenge] });
  const initiate = captured.find((r) => r.operation === 'InitiateAuth');
  const respond = captured.find((r) => r.operation === 'RespondToAuthChallenge');
  void poolName;
  return {
    name: c.name, pool_id: c.pool_id, user_id_for_srp: c.user_id_for_srp, password: c.password,
    client_id: c.client_id, client_secret: c.client_secret || null, a: c.a, srp_b: c.srp_b, salt: c.salt,
    secret_block: c.secret_block, timestamp: respond.params.ChallengeResponses.TIMESTAMP,
    expected: {
      srp_a: initiate.params.AuthParameters.SRP_A,
      password_claim_signature: respond.params.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE,
      secret_hash: c.client_secret ? secretHash(c.client_secret, c.user_id_for_srp, c.client_id) : null,
    },
  };
}

function deviceCase(c) {
  fixedMs = timestamps[c.ts || 0];
  const userId = 'device-owner';
  const clientId = '4example0client0id0device';
  const store = storage();
  const prefix = `CognitoIdentityServiceProvider.${clientId}.${userId}`;
  store.setItem(`${prefix}.deviceKey`, c.device_key);
  store.setItem(`${prefix}.deviceGroupKey`, c.device_group_key);
  store.setItem(`${prefix}.randomPasswordKey`, c.device_password);
  queue = [smallA(hexOf(`user-a/${c.name}`, 32)), smallA(c.a)];
  const answers = [
    { ChallengeName: 'PASSWORD_VERIFIER', Session: 's1', ChallengeParameters: {
      SRP_B: hexOf(`user-b/${c.name}`, 384).replace(/^./, '4'), SALT: 'abcdef', SECRET_BLOCK: 'AAAA',
      USER_ID_FOR_SRP: userId, USERNAME: userId } },
    { ChallengeName: 'DEVICE_SRP_AUTH', Session: 's2', ChallengeParameters: {} },
    { ChallengeName: 'DEVICE_PASSWORD_VERIFIER', Session: 's3', ChallengeParameters: {
      SRP_B: c.srp_b, SALT: c.salt, SECRET_BLOCK: c.secret_block, DEVICE_KEY: c.device_key, USERNAME: userId } },
  ];
  const captured = run({ poolId: 'us-east-1_Dev1ces', clientId, username: userId, password: 'user-password', answers, store });
  const deviceSrp = captured.find((r) => r.operation === 'RespondToAuthChallenge' && r.params.ChallengeName === 'DEVICE_SRP_AUTH');
  const verifier = captured.find((r) => r.operation === 'RespondToAuthChallenge' && r.params.ChallengeName === 'DEVICE_PASSWORD_VERIFIER');
  if (!deviceSrp || !verifier) throw new Error(`device case ${c.name}: the SDK did not run device SRP`);
  return {
    name: c.name, device_group_key: c.device_group_key, device_key: c.device_key, device_password: c.device_password,
    a: c.a, srp_b: c.srp_b, salt: c.salt, secret_block: c.secret_block,
    timestamp: verifier.params.ChallengeResponses.TIMESTAMP,
    expected: {
      srp_a: deviceSrp.params.ChallengeResponses.SRP_A,
      password_claim_signature: verifier.params.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE,
    },
  };
}

function verifierCase(c) {
  fixedMs = timestamps[0];
  const userId = 'new-device-owner';
  const passwordBytes = hexOf(`device-password/${c.name}`, 40);
  queue = [smallA(hexOf(`verifier-user-a/${c.name}`, 32)), passwordBytes, c.salt];
  const iat = Math.floor(timestamps[0] / 1000);
  const tokens = {
    AccessToken: fakeJwt({ username: userId, iat, exp: iat + 3600 }),
    IdToken: fakeJwt({ 'cognito:username': userId, iat, exp: iat + 3600 }),
    RefreshToken: 'r', ExpiresIn: 3600, TokenType: 'Bearer',
    NewDeviceMetadata: { DeviceKey: c.device_key, DeviceGroupKey: c.device_group_key },
  };
  const answers = [
    { ChallengeName: 'PASSWORD_VERIFIER', Session: 's1', ChallengeParameters: {
      SRP_B: 'abcdef0123456789', SALT: '1234', SECRET_BLOCK: 'AAAA', USER_ID_FOR_SRP: userId, USERNAME: userId } },
    { AuthenticationResult: tokens, ChallengeParameters: {} },
  ];
  const captured = run({ poolId: 'us-east-1_Dev1ces', clientId: '4example0client0id0verify', username: userId, password: 'pw', answers });
  const confirm = captured.find((r) => r.operation === 'ConfirmDevice');
  if (!confirm) throw new Error(`verifier case ${c.name}: no ConfirmDevice`);
  return {
    name: c.name, device_group_key: c.device_group_key, device_key: c.device_key,
    device_password: Buffer.from(passwordBytes, 'hex').toString('base64'), salt: c.salt,
    expected: {
      password_verifier: confirm.params.DeviceSecretVerifierConfig.PasswordVerifier,
      salt: confirm.params.DeviceSecretVerifierConfig.Salt,
    },
  };
}

// --- Searches for the edge cases (deterministic candidates).
function aWithTopBit(set, label) {
  for (let i = 0; ; i++) {
    const a = hexOf(`${label}/${i}`, 32);
    const A = modPow(g, new BigInteger(a, 16), N).toString(16);
    if ((A.length === 768 && parseInt(A[0], 16) >= 8) === set) return a;
  }
}

function uWithLeadingZero(aHex) {
  const h = helper('x');
  const A = modPow(g, new BigInteger(aHex, 16), N);
  for (let i = 0; ; i++) {
    const b = hexOf(`u-zero/${i}`, 384).replace(/^./, '3');
    const u = h.hexHash(h.padHex(A) + h.padHex(new BigInteger(b, 16)));
    if (u.startsWith('00')) return b;
  }
}

function sWithLeadingZero(c) {
  const h = helper(c.pool_id.split('_')[1]);
  h.smallAValue = new BigInteger(c.a, 16);
  h.largeAValue = undefined;
  h.getLargeAValue(() => {});
  for (let i = 0; ; i++) {
    const b = hexOf(`s-zero/${i}`, 384).replace(/^./, '2');
    let s;
    const original = h.calculateS.bind(h);
    h.calculateS = (x, B, cb) => original(x, B, (e, v) => { s = v; cb(e, v); });
    h.getPasswordAuthenticationKey(c.user_id_for_srp, c.password, new BigInteger(b, 16), new BigInteger(c.salt, 16), () => {});
    if (s.toString(16).length <= 766) return b;
  }
}

const secretBlock = (label) => Buffer.from(hexOf(label, 1100), 'hex').toString('base64');
const pools = ['us-east-1_AbC123def', 'eu-west-2_Zz9Yy8Xx7', 'ap-southeast-1_k0LMn3oP', 'us-gov-west-1_Q1w2E3r4T'];

const userSpecs = [];
const add = (spec) => userSpecs.push({ client_id: '1example23456789abcdefghij', secret_block: secretBlock(spec.name), ...spec });
const aHigh = aWithTopBit(true, 'a-high');
const aLow = aWithTopBit(false, 'a-low');
add({ name: 'ascii user, A with the high bit set', pool_id: pools[0], user_id_for_srp: 'alice', password: 'Passw0rd!', a: aHigh, salt: hexOf('salt1', 16) });
add({ name: 'ascii user, A without the high bit', pool_id: pools[0], user_id_for_srp: 'bob', password: 'correct horse battery staple', a: aLow, salt: hexOf('salt2', 16) });
add({ name: 'user id is a sub (uuid)', pool_id: pools[1], user_id_for_srp: '5b1c0e4e-7d2a-4c3b-9f1e-0a1b2c3d4e5f', password: 'S3cure#Pass', a: hexOf('a3', 32), salt: hexOf('salt3', 16) });
add({ name: 'unicode user name and password', pool_id: pools[2], user_id_for_srp: 'Ünïcødé-ユーザー', password: 'пароль密码🔑 ça', a: hexOf('a4', 32), salt: hexOf('salt4', 16) });
add({ name: 'a with leading zero bytes', pool_id: pools[3], user_id_for_srp: 'carol', password: 'pw', a: '0000' + hexOf('a5', 30), salt: hexOf('salt5', 16) });
add({ name: 'salt with the high bit set', pool_id: pools[0], user_id_for_srp: 'dave', password: 'pw', a: hexOf('a6', 32), salt: 'f3' + hexOf('salt6', 15) });
add({ name: 'odd-length salt', pool_id: pools[0], user_id_for_srp: 'erin', password: 'pw', a: hexOf('a7', 32), salt: 'abc' + hexOf('salt7', 14) });
add({ name: 'negative salt', pool_id: pools[1], user_id_for_srp: 'frank', password: 'pw', a: hexOf('a8', 32), salt: '-5ab3' + hexOf('salt8', 14) });
add({ name: 'negative salt -80 (two\'s complement 80)', pool_id: pools[1], user_id_for_srp: 'frank', password: 'pw', a: hexOf('a8b', 32), salt: '-80' });
add({ name: 'short salt', pool_id: pools[2], user_id_for_srp: 'grace', password: 'pw', a: hexOf('a9', 32), salt: '01' });
add({ name: 'single-digit day', pool_id: pools[0], user_id_for_srp: 'heidi', password: 'pw', a: hexOf('a10', 32), salt: hexOf('salt10', 16), ts: 1 });
add({ name: 'first of the month at midnight', pool_id: pools[3], user_id_for_srp: 'ivan', password: 'pw', a: hexOf('a11', 32), salt: hexOf('salt11', 16), ts: 2 });
add({ name: 'client secret', pool_id: pools[0], user_id_for_srp: 'judy', password: 'pw', a: hexOf('a12', 32), salt: hexOf('salt12', 16), client_secret: '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p1qaz2wsx3edc4rfv', ts: 3 });
add({ name: 'client secret and unicode user', pool_id: pools[2], user_id_for_srp: 'mallory-ñ', password: 'pw', a: hexOf('a13', 32), salt: hexOf('salt13', 16), client_secret: 'short' });
add({ name: 'non-base64 SECRET_BLOCK (moto sends a uuid)', pool_id: pools[0], user_id_for_srp: 'niaj', password: 'pw', a: hexOf('a14', 32), salt: hexOf('salt14', 16), secret_block: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' });
// B variants (realistic B from a server-side verifier unless stated).
for (const spec of userSpecs) {
  const poolName = spec.pool_id.split('_')[1];
  spec.srp_b = serverB(poolName, spec.user_id_for_srp, spec.password, spec.salt, hexOf(`b/${spec.name}`, 32));
}
add({ name: 'B with the high bit set', pool_id: pools[0], user_id_for_srp: 'olivia', password: 'pw', a: hexOf('a15', 32), salt: hexOf('salt15', 16), srp_b: 'c7' + hexOf('b15', 383) });
add({ name: 'odd-length B', pool_id: pools[1], user_id_for_srp: 'peggy', password: 'pw', a: hexOf('a16', 32), salt: hexOf('salt16', 16), srp_b: '7' + hexOf('b16', 383) });
add({ name: 'negative B (unknown user)', pool_id: pools[1], user_id_for_srp: 'rupert', password: 'pw', a: hexOf('a17', 32), salt: '-' + hexOf('salt17', 16), srp_b: '-' + '5' + hexOf('b17', 383) });
add({ name: 'negative B with the high bit set', pool_id: pools[2], user_id_for_srp: 'sybil', password: 'pw', a: hexOf('a18', 32), salt: hexOf('salt18', 16), srp_b: '-' + 'e' + hexOf('b18', 383) });
add({ name: 'small B', pool_id: pools[3], user_id_for_srp: 'trent', password: 'pw', a: hexOf('a19', 32), salt: hexOf('salt19', 16), srp_b: 'abc' });
{
  const a = hexOf('a20', 32);
  add({ name: 'u with a leading zero byte', pool_id: pools[0], user_id_for_srp: 'victor', password: 'pw', a, salt: hexOf('salt20', 16), srp_b: uWithLeadingZero(a) });
}
{
  const spec = { name: 'S with a leading zero byte', pool_id: pools[0], user_id_for_srp: 'walter', password: 'pw', a: hexOf('a21', 32), salt: hexOf('salt21', 16) };
  spec.srp_b = sWithLeadingZero(spec);
  add(spec);
}

const deviceSpecs = [
  { name: 'device, realistic values', device_group_key: '-Abc123def', device_key: 'us-east-1_0d7e5a2c-1111-4222-8333-944445555666' },
  { name: 'device, negative B and salt', device_group_key: 'XyZ9876543', device_key: 'eu-west-2_1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', srp_b: '-' + '6' + hexOf('db2', 383), salt: '-7f' + hexOf('ds2', 15) },
  { name: 'device, single-digit day', device_group_key: '-QrStUvWx1', device_key: 'ap-southeast-1_99999999-8888-4777-8666-555555555555', ts: 1 },
  { name: 'device, odd-length B', device_group_key: 'g', device_key: 'k', srp_b: 'f' + hexOf('db4', 380) },
  { name: 'device, non-base64 SECRET_BLOCK', device_group_key: '-Grp5', device_key: 'us-east-1_fedcba98-7654-4321-8fed-cba987654321', secret_block: 'not*base64-at_all' },
].map((d) => ({
  a: hexOf(`da/${d.name}`, 32),
  device_password: Buffer.from(hexOf(`dp/${d.name}`, 40), 'hex').toString('base64'),
  srp_b: hexOf(`db/${d.name}`, 384).replace(/^./, '5'),
  salt: hexOf(`ds/${d.name}`, 16),
  secret_block: secretBlock(`dsb/${d.name}`),
  ...d,
}));

const verifierSpecs = [
  { name: 'salt of 16 bytes', salt: '5a' + hexOf('vs1', 15) },
  { name: 'salt with a leading zero byte: 15 bytes', salt: '00' + '3c' + hexOf('vs2', 14) },
  { name: 'salt with two leading zero bytes: 14 bytes', salt: '0000' + '11' + hexOf('vs3', 13) },
  { name: 'salt with the high bit set: 17 bytes', salt: 'c4' + hexOf('vs4', 15) },
  { name: 'salt 0x80...: 17 bytes', salt: '80' + '00'.repeat(15) },
  { name: 'another 16-byte salt', salt: '01' + hexOf('vs6', 15) },
].map((v, i) => ({
  device_group_key: ['-Abc123def', 'XyZ9876543', '-QrStUvWx1'][i % 3],
  device_key: `us-east-1_${sha(`vk${i}`).slice(0, 8)}-1111-4222-8333-${sha(`vk${i}`).slice(8, 20)}`,
  ...v,
}));

// Exactly the documented format: other tools read it (the SDK version is pinned in package.json).
const out = {
  cases: userSpecs.map(userCase),
  device_cases: deviceSpecs.map(deviceCase),
  verifier_cases: verifierSpecs.map(verifierCase),
};
global.Date = RealDate;
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
