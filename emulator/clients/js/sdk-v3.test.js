'use strict';
// @aws-sdk/client-cognito-identity-provider (v3) against the cognito-emulator binary: its
// modeled error classes are what an application catches, so the emulator's errors must
// deserialize into them.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sdk = require('@aws-sdk/client-cognito-identity-provider');
const { info, client, lastCode, sdkClient } = require('./support');

const cognito = sdkClient();
const strict = client('strict').client_id;
const revealing = client('revealing').client_id;

const passwordAuth = (clientId, username, password) =>
  cognito.send(
    new sdk.InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

/** Asserts that `promise` rejects with an instance of the SDK's modeled class `Class`. */
async function modeled(promise, Class, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Class, `expected ${Class.name}, got ${err.name}: ${err.message}`);
    assert.equal(err.name, Class.name);
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.ok(err.$metadata.requestId, 'no x-amzn-RequestId on the error');
    if (message) assert.match(err.message, message);
    return true;
  });
}

let tokens;

test('the right password gives tokens, and GetUser reads the user', async () => {
  const answer = await passwordAuth(strict, 'alice', 'Passw0rd!');
  tokens = answer.AuthenticationResult;
  assert.equal(tokens.TokenType, 'Bearer');
  assert.equal(tokens.ExpiresIn, 3600);
  assert.ok(answer.$metadata.requestId, 'no x-amzn-RequestId');
  const user = await cognito.send(new sdk.GetUserCommand({ AccessToken: tokens.AccessToken }));
  assert.equal(user.Username, 'alice');
  const attributes = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attributes.email, 'alice@example.com');
});

test('a wrong password: NotAuthorizedException', async () => {
  await modeled(passwordAuth(strict, 'alice', 'Wrong-Passw0rd'), sdk.NotAuthorizedException, /Incorrect username or password/);
});

test('an unknown user: UserNotFoundException, or NotAuthorizedException with PreventUserExistenceErrors', async () => {
  await modeled(passwordAuth(revealing, 'nobody', 'Passw0rd!'), sdk.UserNotFoundException);
  await modeled(passwordAuth(strict, 'nobody', 'Passw0rd!'), sdk.NotAuthorizedException, /Incorrect username or password/);
});

test('an unknown client: ResourceNotFoundException', async () => {
  await modeled(passwordAuth('nosuchclient0000000000000', 'alice', 'Passw0rd!'), sdk.ResourceNotFoundException);
});

test('bad tokens: NotAuthorizedException, whether garbage, forged or unsigned', async () => {
  const getUser = (token) => cognito.send(new sdk.GetUserCommand({ AccessToken: token }));
  await modeled(getUser('not-a-token'), sdk.NotAuthorizedException);
  const [header, payload, signature] = tokens.AccessToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // The same token id, a later expiry, the original signature.
  await modeled(getUser([header, encode({ ...claims, exp: claims.exp + 86400 }), signature].join('.')), sdk.NotAuthorizedException);
  // alg: none.
  await modeled(getUser([encode({ alg: 'none', kid: JSON.parse(Buffer.from(header, 'base64url')).kid }), payload, ''].join('.')), sdk.NotAuthorizedException);
  // The refresh token is not an access token.
  await modeled(getUser(tokens.RefreshToken), sdk.NotAuthorizedException);
});

test('sign-up errors: InvalidPasswordException, UsernameExistsException, InvalidParameterException, CodeMismatchException', async () => {
  const signUp = (username, password, attributes = []) =>
    cognito.send(new sdk.SignUpCommand({ ClientId: strict, Username: username, Password: password, UserAttributes: attributes }));
  await modeled(signUp('erin', 'short'), sdk.InvalidPasswordException);
  await modeled(signUp('alice', 'Passw0rd!'), sdk.UsernameExistsException);
  await modeled(signUp('erin', 'Passw0rd!', [{ Name: 'sub', Value: 'mine' }]), sdk.InvalidParameterException);
  await modeled(signUp('erin', 'Passw0rd!', [{ Name: 'email_verified', Value: 'true' }]), sdk.InvalidParameterException);
  const created = await signUp('erin', 'Passw0rd!', [{ Name: 'email', Value: 'erin@example.com' }]);
  assert.equal(created.UserConfirmed, false);
  await modeled(
    cognito.send(new sdk.ConfirmSignUpCommand({ ClientId: strict, Username: 'erin', ConfirmationCode: '00000x' })),
    sdk.CodeMismatchException,
  );
});

test('sign-in after sign-up: SignUp and ConfirmSignUp answer sessions, USER_AUTH with the second signs in once', async () => {
  const signedUp = await cognito.send(
    new sdk.SignUpCommand({
      ClientId: strict,
      Username: 'frank',
      Password: 'Passw0rd!',
      UserAttributes: [{ Name: 'email', Value: 'frank@example.com' }],
      ClientMetadata: { app: 'sdk-v3' },
    }),
  );
  assert.ok(signedUp.Session, 'SignUp answers a Session');
  const confirmed = await cognito.send(
    new sdk.ConfirmSignUpCommand({
      ClientId: strict,
      Username: 'frank',
      ConfirmationCode: await lastCode('frank', 'SignUp'),
      Session: signedUp.Session,
      UserContextData: { IpAddress: '192.0.2.1' },
    }),
  );
  assert.ok(confirmed.Session, 'ConfirmSignUp answers a Session');
  const userAuth = () =>
    cognito.send(
      new sdk.InitiateAuthCommand({
        ClientId: strict,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: 'frank' },
        Session: confirmed.Session,
      }),
    );
  const answer = await userAuth();
  assert.equal(answer.AuthenticationResult.TokenType, 'Bearer');
  const user = await cognito.send(new sdk.GetUserCommand({ AccessToken: answer.AuthenticationResult.AccessToken }));
  assert.equal(user.Username, 'frank');
  await modeled(userAuth(), sdk.NotAuthorizedException);
});

test('UpdateAuthEventFeedback without threat protection: UserPoolAddOnNotEnabledException', async () => {
  await modeled(
    cognito.send(
      new sdk.UpdateAuthEventFeedbackCommand({
        UserPoolId: info.pool_id,
        Username: 'alice',
        EventId: 'event-1',
        FeedbackToken: 'token',
        FeedbackValue: 'Invalid',
      }),
    ),
    sdk.UserPoolAddOnNotEnabledException,
  );
});
