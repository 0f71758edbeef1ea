'use strict';
// amazon-cognito-identity-js (the JS SDK browsers use) against the cognito-emulator binary, as an
// app would use it: sign-up, confirmation with the code from the outbox, SRP sign-in, sessions,
// attributes, passwords, devices, TOTP, global sign-out and account deletion.
// The steps run in order and share one account.
const fs = require('node:fs');
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { AuthenticationDetails, CognitoUser, CognitoUserAttribute } = require('amazon-cognito-identity-js');
const { info, lastCode, totp, Storage, userPool, call, refused } = require('./support');

const USERNAME = 'dana';
const EMAIL = 'dana@example.com';
let password = 'Initial-Passw0rd';

/** One browser: its own storage (tokens, device keys) and a log of the calls its SDK makes. */
function browser() {
  const storage = new Storage();
  const pool = userPool(storage);
  const calls = [];
  const request = pool.client.request.bind(pool.client);
  pool.client.request = (operation, params, callback) => {
    calls.push(operation === 'RespondToAuthChallenge' ? params.ChallengeName : operation);
    return request(operation, params, callback);
  };
  const user = () => new CognitoUser({ Username: USERNAME, Pool: pool, Storage: storage });
  return { storage, pool, calls, user };
}

/** SRP sign-in; `mfa` answers a TOTP challenge (none expected without it). */
function signIn(user, secret, mfa) {
  return new Promise((resolve, reject) => {
    const asked = [];
    const callbacks = {
      onSuccess: (session, userConfirmationNecessary) =>
        resolve({ session, userConfirmationNecessary, asked }),
      onFailure: reject,
      totpRequired: (name) => {
        asked.push(name);
        if (!mfa) return reject(new Error(`unexpected ${name} challenge`));
        return user.sendMFACode(mfa(), callbacks, 'SOFTWARE_TOKEN_MFA');
      },
      mfaRequired: (name) => reject(new Error(`unexpected ${name} challenge`)),
      mfaSetup: (name) => reject(new Error(`unexpected ${name} challenge`)),
      selectMFAType: (name) => reject(new Error(`unexpected ${name} challenge`)),
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: USERNAME, Password: secret }), callbacks);
  });
}

function attributes(user) {
  return call((cb) => user.getUserAttributes(cb)).then((list) =>
    Object.fromEntries(list.map((a) => [a.getName(), a.getValue()])),
  );
}

const laptop = browser();
let laptopUser;
let totpSecret;

test('sign-up, then confirmation with the code from the outbox', async () => {
  const result = await call((cb) =>
    laptop.pool.signUp(USERNAME, password, [new CognitoUserAttribute({ Name: 'email', Value: EMAIL })], null, cb),
  );
  assert.equal(result.userConfirmed, false);
  assert.match(result.userSub, /^[0-9a-f-]{36}$/);
  assert.equal(result.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
  const unconfirmed = laptop.user();
  await refused(signIn(unconfirmed, password), 'UserNotConfirmedException');
  await refused(call((cb) => unconfirmed.confirmRegistration('000000', true, cb)), 'CodeMismatchException');
  const code = await lastCode(USERNAME, 'SignUp');
  // The binary also prints each code to its log as it is sent.
  const log = fs.readFileSync(process.env.COGNITO_EMULATOR_LOG, 'utf8');
  assert.ok(log.split('\n').some((line) => line.includes(USERNAME) && line.includes('SignUp') && line.endsWith(code)), log);
  assert.equal(await call((cb) => laptop.user().confirmRegistration(code, true, cb)), 'SUCCESS');
});

test('a wrong password is refused', async () => {
  await refused(signIn(laptop.user(), 'Wrong-Passw0rd'), 'NotAuthorizedException', /Incorrect username or password/);
});

test('SRP sign-in gives a valid session and confirms this device', async () => {
  laptopUser = laptop.user();
  const { session, userConfirmationNecessary } = await signIn(laptopUser, password);
  assert.ok(session.isValid());
  assert.deepEqual(laptop.calls.slice(-3), ['InitiateAuth', 'PASSWORD_VERIFIER', 'ConfirmDevice']);
  // The pool lets the user choose whether to remember the device.
  assert.equal(userConfirmationNecessary, true);
  const id = session.getIdToken().decodePayload();
  assert.equal(id['cognito:username'], USERNAME);
  assert.equal(id.email, EMAIL);
  assert.equal(id.iss, `https://cognito-idp.${info.region}.amazonaws.com/${info.pool_id}`);
  assert.equal(id.aud, info.client_id);
  const access = session.getAccessToken().decodePayload();
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, info.client_id);
  assert.equal(access.username, USERNAME);
});

test('getSession returns the stored session; refreshSession gets new tokens', async () => {
  const stored = await call((cb) => laptop.user().getSession(cb));
  assert.ok(stored.isValid());
  const before = stored.getAccessToken().getJwtToken();
  const refreshed = await call((cb) => laptopUser.refreshSession(stored.getRefreshToken(), cb));
  assert.ok(refreshed.isValid());
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), before);
  assert.equal(refreshed.getAccessToken().decodePayload().username, USERNAME);
  assert.equal(refreshed.getRefreshToken().getToken(), stored.getRefreshToken().getToken());
});

test('attributes: read, update, and the update lands in the next id token', async () => {
  const before = await attributes(laptopUser);
  assert.equal(before.email, EMAIL);
  assert.match(before.sub, /^[0-9a-f-]{36}$/);
  await call((cb) =>
    laptopUser.updateAttributes([new CognitoUserAttribute({ Name: 'given_name', Value: 'Dana' })], cb),
  );
  assert.equal((await attributes(laptopUser)).given_name, 'Dana');
  const session = await call((cb) => laptopUser.getSession(cb));
  const refreshed = await call((cb) => laptopUser.refreshSession(session.getRefreshToken(), cb));
  assert.equal(refreshed.getIdToken().decodePayload().given_name, 'Dana');
});

test('changePassword: the old password is refused, the new one works', async () => {
  await refused(
    call((cb) => laptopUser.changePassword('Not-The-Passw0rd', 'Changed-Passw0rd', cb)),
    'NotAuthorizedException',
  );
  await call((cb) => laptopUser.changePassword(password, 'Changed-Passw0rd', cb));
  const old = password;
  password = 'Changed-Passw0rd';
  const other = browser();
  await refused(signIn(other.user(), old), 'NotAuthorizedException');
  assert.ok((await signIn(other.user(), password)).session.isValid());
});

test('forgotPassword: the code from the outbox sets a new password', async () => {
  const user = laptop.user();
  const delivery = await new Promise((resolve, reject) =>
    user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
  );
  assert.equal(delivery.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
  const code = await lastCode(USERNAME, 'ForgotPassword');
  const confirm = (c, p) =>
    new Promise((resolve, reject) => user.confirmPassword(c, p, { onSuccess: resolve, onFailure: reject }));
  await refused(confirm(code === '123456' ? '654321' : '123456', 'Reset-Passw0rd'), 'CodeMismatchException');
  await confirm(code, 'Reset-Passw0rd');
  const old = password;
  password = 'Reset-Passw0rd';
  await refused(signIn(browser().user(), old), 'NotAuthorizedException');
  laptopUser = laptop.user();
  assert.ok((await signIn(laptopUser, password)).session.isValid());
});

test('devices: the device is listed, and remembered', async () => {
  await call((cb) => laptopUser.getSession(cb));
  const deviceKey = laptop.storage.getItem(
    `CognitoIdentityServiceProvider.${info.client_id}.${USERNAME}.deviceKey`,
  );
  assert.ok(deviceKey, 'the SDK kept no device key');
  assert.ok(deviceKey.startsWith(`${info.region}_`), deviceKey);
  await new Promise((resolve, reject) =>
    laptopUser.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }),
  );
  const listed = await new Promise((resolve, reject) =>
    laptopUser.listDevices(10, null, { onSuccess: resolve, onFailure: reject }),
  );
  const device = listed.Devices.find((d) => d.DeviceKey === deviceKey);
  assert.ok(device, `device ${deviceKey} not in ${JSON.stringify(listed.Devices)}`);
  const attribute = (name) => (device.DeviceAttributes.find((a) => a.Name === name) || {}).Value;
  assert.equal(attribute('device_status'), 'valid');
  assert.equal(attribute('dev:device_remembered_status'), 'remembered');
});

test('TOTP MFA: set up with a code computed here, then asked at sign-in on a new device', async () => {
  totpSecret = await new Promise((resolve, reject) =>
    laptopUser.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  assert.match(totpSecret, /^[A-Z2-7]+=*$/);
  await refused(
    new Promise((resolve, reject) =>
      laptopUser.verifySoftwareToken(totp(totpSecret) === '000000' ? '111111' : '000000', 'phone', {
        onSuccess: resolve,
        onFailure: reject,
      }),
    ),
    'EnableSoftwareTokenMFAException',
  );
  await new Promise((resolve, reject) =>
    laptopUser.verifySoftwareToken(totp(totpSecret), 'phone', { onSuccess: resolve, onFailure: reject }),
  );
  await call((cb) => laptopUser.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, cb));

  const phone = browser();
  const { session, asked } = await signIn(phone.user(), password, () => totp(totpSecret, 1));
  assert.deepEqual(asked, ['SOFTWARE_TOKEN_MFA']);
  assert.ok(session.isValid());
  assert.ok(phone.calls.includes('SOFTWARE_TOKEN_MFA'));
});

test('a remembered device signs in with device SRP and skips MFA', async () => {
  laptop.calls.length = 0;
  const { session, asked } = await signIn(laptop.user(), password);
  assert.deepEqual(asked, []);
  assert.ok(session.isValid());
  assert.deepEqual(laptop.calls, [
    'InitiateAuth',
    'PASSWORD_VERIFIER',
    'DEVICE_SRP_AUTH',
    'DEVICE_PASSWORD_VERIFIER',
  ]);
});

test('globalSignOut revokes the tokens, and an immediate new sign-in works', async () => {
  const user = laptop.user();
  const { session } = await signIn(user, password);
  const old = session.getAccessToken().getJwtToken();
  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  await refused(call((cb) => laptop.pool.client.request('GetUser', { AccessToken: old }, cb)), 'NotAuthorizedException');
  await refused(call((cb) => user.refreshSession(session.getRefreshToken(), cb)), 'NotAuthorizedException');
  // Within the same second: the new tokens must work.
  laptopUser = laptop.user();
  const again = await signIn(laptopUser, password);
  assert.ok(again.session.isValid());
  assert.equal((await attributes(laptopUser)).email, EMAIL);
  const refreshed = await call((cb) => laptopUser.refreshSession(again.session.getRefreshToken(), cb));
  assert.ok(refreshed.isValid());
});

test('deleteUser: the account and its tokens are gone', async () => {
  const session = await call((cb) => laptopUser.getSession(cb));
  const access = session.getAccessToken().getJwtToken();
  assert.equal(await call((cb) => laptopUser.deleteUser(cb)), 'SUCCESS');
  await refused(call((cb) => laptop.pool.client.request('GetUser', { AccessToken: access }, cb)), 'NotAuthorizedException');
  // With PreventUserExistenceErrors (the default of new app clients) an unknown user looks like a
  // wrong password.
  await refused(signIn(browser().user(), password), 'NotAuthorizedException', /Incorrect username or password/);
});
