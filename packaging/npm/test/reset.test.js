// An emulator of this file's own, reset between its tests: what one test signs up is gone in
// the next, and the endpoint and ids stay the same.
import { CognitoUserAttribute } from 'amazon-cognito-identity-js';
import { start } from 'cognito-flows-emulator';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { call, signIn, userPool } from './support.js';

let emulator;
let first;
const resets = [];

beforeAll(async () => {
  emulator = await start();
  first = { endpoint: emulator.endpoint, poolId: emulator.poolId, clientId: emulator.clientId };
});
beforeEach(async () => {
  resets.push(await emulator.reset());
});
afterAll(async () => {
  await emulator?.stop();
});

async function signUpErin() {
  const email = new CognitoUserAttribute({ Name: 'email', Value: 'erin@example.com' });
  return call((cb) => userPool(emulator).signUp('erin', 'Erin-Passw0rd', [email], null, cb));
}

test('a sign-up leaves a user and a code', async () => {
  await signUpErin();
  expect(await emulator.lastCode('erin')).toMatch(/^\d{6}$/);
  await expect(signUpErin()).rejects.toMatchObject({ code: 'UsernameExistsException' });
});

test('after reset() the next test finds the set-up as it was started', async () => {
  expect({ endpoint: emulator.endpoint, poolId: emulator.poolId, clientId: emulator.clientId }).toEqual(first);
  expect(await emulator.lastCode('erin')).toBeNull();
  expect((await signUpErin()).userConfirmed).toBe(false);
  // The default user of start() is there again, with its password.
  expect((await signIn(userPool(emulator), 'alice', 'Passw0rd!')).isValid()).toBe(true);
  // reset() restarts the process only when the binary does not answer POST /_emulator/reset.
  const answer = await fetch(`${emulator.endpoint}_emulator/reset`, { method: 'POST', body: '{}' });
  await answer.arrayBuffer();
  expect(resets.at(-1)).toBe(answer.ok ? 'reset' : 'restart');
});
