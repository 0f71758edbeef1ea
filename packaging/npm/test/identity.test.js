// amazon-cognito-identity-js against the emulator of the global set-up: sign-up, confirmation
// with the code from the outbox, SRP sign-in, a wrong password refused. The tests run in order
// and share the account `dana`.
import { CognitoUser, CognitoUserAttribute } from 'amazon-cognito-identity-js';
import { connect } from 'cognito-flows-emulator';
import { expect, inject, test } from 'vitest';
import { call, signIn, userPool } from './support.js';

const emulator = connect(inject('cognitoEmulator'));
const pool = userPool(emulator);

test('sign-up, then confirmation with the code from the outbox', async () => {
  const email = new CognitoUserAttribute({ Name: 'email', Value: 'dana@example.com' });
  const result = await call((cb) => pool.signUp('dana', 'Dana-Passw0rd', [email], null, cb));
  expect(result.userConfirmed).toBe(false);
  const code = await emulator.lastCode('dana');
  expect(code).toMatch(/^\d{6}$/);
  const [message] = await emulator.outbox({ username: 'dana' });
  expect(message).toMatchObject({ pool_id: emulator.poolId, purpose: 'SignUp', medium: 'EMAIL', code });
  const user = new CognitoUser({ Username: 'dana', Pool: pool });
  expect(await call((cb) => user.confirmRegistration(code, true, cb))).toBe('SUCCESS');
});

test('SRP sign-in gives tokens of the pool for the user', async () => {
  const session = await signIn(pool, 'dana', 'Dana-Passw0rd');
  const access = session.getAccessToken().decodePayload();
  expect(access.username).toBe('dana');
  expect(access.client_id).toBe(emulator.clientId);
  expect(access.iss).toBe(emulator.info.issuer);
  expect(session.getIdToken().decodePayload().email).toBe('dana@example.com');
});

test('a wrong password is refused', async () => {
  await expect(signIn(pool, 'dana', 'Wr0ng-Passw0rd')).rejects.toMatchObject({
    code: 'NotAuthorizedException',
  });
  // The user set up by the global set-up signs in with the password it was given.
  const session = await signIn(pool, 'alice', 'Passw0rd!');
  expect(session.isValid()).toBe(true);
});
