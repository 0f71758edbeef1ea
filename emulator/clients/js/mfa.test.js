'use strict';
// amazon-cognito-identity-js against a pool that requires MFA: SMS MFA with the code the
// emulator "sent" (fixed by the config), and MFA_SETUP for a user without MFA, who sets up TOTP
// while signing in. The steps run in order.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { AuthenticationDetails, CognitoUser } = require('amazon-cognito-identity-js');
const { lastCode, totp, Storage, userPool, refused } = require('./support');

const FIXED_CODE = '246810';

function user(username) {
  const storage = new Storage();
  return new CognitoUser({ Username: username, Pool: userPool(storage), Storage: storage });
}

/** Signs in; `on` answers the challenges by name, each getting (user, callbacks, parameters). */
function signIn(cognitoUser, password, on = {}) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const callbacks = { onSuccess: (session) => resolve({ session, seen }), onFailure: reject };
    for (const name of ['mfaRequired', 'totpRequired', 'mfaSetup', 'selectMFAType', 'newPasswordRequired', 'customChallenge']) {
      callbacks[name] = (challenge, parameters) => {
        seen.push(name);
        if (!on[name]) return reject(new Error(`unexpected ${name}`));
        return on[name](callbacks, parameters);
      };
    }
    cognitoUser.authenticateUser(new AuthenticationDetails({ Username: cognitoUser.getUsername(), Password: password }), callbacks);
  });
}

test('SMS MFA: the code sent (the fixed code) completes the sign-in, a wrong one does not', async () => {
  const sam = user('sam');
  let attempt = 0;
  const { session, seen } = await signIn(sam, 'Sam-Passw0rd', {
    mfaRequired: (callbacks, parameters) => {
      assert.equal(parameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      attempt += 1;
      if (attempt === 1) {
        // A wrong code first: Cognito answers CodeMismatchException and the session goes on.
        return sam.sendMFACode('135791', {
          ...callbacks,
          onFailure: (err) => {
            assert.equal(err.code, 'CodeMismatchException');
            lastCode('sam', 'SMS_MFA').then((code) => {
              assert.equal(code, FIXED_CODE);
              sam.sendMFACode(code, callbacks);
            }, callbacks.onFailure);
          },
        });
      }
      return callbacks.onFailure(new Error('asked twice'));
    },
  });
  assert.deepEqual(seen, ['mfaRequired']);
  assert.ok(session.isValid());
  assert.equal(session.getAccessToken().decodePayload().username, 'sam');
});

test('MFA_SETUP: a user without MFA sets up TOTP while signing in, and is asked for it next time', async () => {
  const tess = user('tess');
  let secret;
  const first = await signIn(tess, 'Tess-Passw0rd', {
    mfaSetup: (callbacks) =>
      tess.associateSoftwareToken({
        onFailure: callbacks.onFailure,
        associateSecretCode: (code) => {
          secret = code;
          tess.verifySoftwareToken(totp(secret), 'authenticator', callbacks);
        },
      }),
  });
  assert.deepEqual(first.seen, ['mfaSetup']);
  assert.ok(first.session.isValid());
  assert.match(secret, /^[A-Z2-7]+=*$/);

  const again = user('tess');
  const second = await signIn(again, 'Tess-Passw0rd', {
    totpRequired: (callbacks) => again.sendMFACode(totp(secret, 1), callbacks, 'SOFTWARE_TOKEN_MFA'),
  });
  assert.deepEqual(second.seen, ['totpRequired']);
  assert.ok(second.session.isValid());
});

test('a wrong password is refused before any MFA', async () => {
  await refused(signIn(user('sam'), 'Wrong-Passw0rd'), 'NotAuthorizedException');
});
