'use strict';
// The whole job over HTTP with the JS SDKs, as on Cognito: @aws-sdk/client-cognito-identity-provider
// (v3) makes a pool, a client, a group and a user with AdminCreateUser (its temporary password
// read from the invitation in the outbox); amazon-cognito-identity-js signs in with SRP, gets
// NEW_PASSWORD_REQUIRED and chooses a password; TOTP MFA is set up and asked; ListUsers finds the
// user by email; a disabled user cannot sign in. The steps run in order.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sdk = require('@aws-sdk/client-cognito-identity-provider');
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');
const { info, outbox, totp, Storage, refused, sdkClient } = require('./support');

const cognito = sdkClient();
const send = (Command, input) => cognito.send(new Command(input));

let poolId;
let clientId;
let secret;

function user(username) {
  const storage = new Storage();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: info.endpoint, Storage: storage });
  return new CognitoUser({ Username: username, Pool: pool, Storage: storage });
}

/** Signs in with SRP; `on` answers the challenges by name, each getting (callbacks, ...arguments). */
function signIn(cognitoUser, password, on = {}) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const callbacks = { onSuccess: (session) => resolve({ session, seen }), onFailure: reject };
    for (const name of ['mfaRequired', 'totpRequired', 'mfaSetup', 'selectMFAType', 'newPasswordRequired', 'customChallenge']) {
      callbacks[name] = (...args) => {
        seen.push(name);
        if (!on[name]) return reject(new Error(`unexpected ${name}`));
        return on[name](callbacks, ...args);
      };
    }
    cognitoUser.authenticateUser(new AuthenticationDetails({ Username: cognitoUser.getUsername(), Password: password }), callbacks);
  });
}

test('a pool, a client and a group made with the SDK v3 read back as made', async () => {
  const pool = await send(sdk.CreateUserPoolCommand, {
    PoolName: 'made-with-sdk-v3',
    Policies: { PasswordPolicy: { MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } },
    AutoVerifiedAttributes: ['email'],
  });
  poolId = pool.UserPool.Id;
  assert.match(poolId, new RegExp(`^${info.region}_[0-9A-Za-z]+$`));
  await send(sdk.SetUserPoolMfaConfigCommand, {
    UserPoolId: poolId,
    MfaConfiguration: 'OPTIONAL',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  });
  const client = await send(sdk.CreateUserPoolClientCommand, {
    UserPoolId: poolId,
    ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    PreventUserExistenceErrors: 'ENABLED',
  });
  clientId = client.UserPoolClient.ClientId;
  assert.equal(client.UserPoolClient.ClientSecret, undefined);
  await send(sdk.CreateGroupCommand, { UserPoolId: poolId, GroupName: 'editors', Precedence: 2 });
  const described = await send(sdk.DescribeUserPoolClientCommand, { UserPoolId: poolId, ClientId: clientId });
  assert.deepEqual(described.UserPoolClient.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  const mfa = await send(sdk.GetUserPoolMfaConfigCommand, { UserPoolId: poolId });
  assert.equal(mfa.MfaConfiguration, 'OPTIONAL');
  assert.ok(mfa.SoftwareTokenMfaConfiguration.Enabled);
});

test('AdminCreateUser, then NEW_PASSWORD_REQUIRED at the first sign-in with the invitation', async () => {
  const created = await send(sdk.AdminCreateUserCommand, {
    UserPoolId: poolId,
    Username: 'jo',
    UserAttributes: [
      { Name: 'email', Value: 'jo@example.com' },
      { Name: 'email_verified', Value: 'true' },
    ],
    DesiredDeliveryMediums: ['EMAIL'],
  });
  assert.equal(created.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
  assert.ok(created.User.UserCreateDate instanceof Date);
  await send(sdk.AdminAddUserToGroupCommand, { UserPoolId: poolId, Username: 'jo', GroupName: 'editors' });
  const invitation = (await outbox('jo')).find((m) => m.purpose === 'AdminCreateUser');
  assert.ok(invitation, 'no invitation in the outbox');
  assert.equal(invitation.destination, 'jo@example.com');

  const jo = user('jo');
  const { session, seen } = await signIn(jo, invitation.code, {
    newPasswordRequired: (callbacks, userAttributes, requiredAttributes) => {
      assert.equal(userAttributes.email, 'jo@example.com');
      assert.deepEqual(requiredAttributes, []);
      jo.completeNewPasswordChallenge('Chosen-Passw0rd', {}, callbacks);
    },
  });
  assert.deepEqual(seen, ['newPasswordRequired']);
  assert.ok(session.isValid());
  assert.deepEqual(session.getIdToken().decodePayload()['cognito:groups'], ['editors']);
  assert.deepEqual(session.getAccessToken().decodePayload()['cognito:groups'], ['editors']);
  const got = await send(sdk.AdminGetUserCommand, { UserPoolId: poolId, Username: 'jo' });
  assert.equal(got.UserStatus, 'CONFIRMED');

  // The temporary password is spent; the chosen one signs in with SRP and no challenge.
  await refused(signIn(user('jo'), invitation.code), 'NotAuthorizedException');
  const again = await signIn(user('jo'), 'Chosen-Passw0rd');
  assert.deepEqual(again.seen, []);

  // TOTP set up with the access token, then asked at the next sign-in.
  const accessToken = again.session.getAccessToken().getJwtToken();
  secret = (await send(sdk.AssociateSoftwareTokenCommand, { AccessToken: accessToken })).SecretCode;
  const verified = await send(sdk.VerifySoftwareTokenCommand, { AccessToken: accessToken, UserCode: totp(secret), FriendlyDeviceName: 'phone' });
  assert.equal(verified.Status, 'SUCCESS');
  await send(sdk.SetUserMFAPreferenceCommand, { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  const withMfa = user('jo');
  const mfa = await signIn(withMfa, 'Chosen-Passw0rd', {
    totpRequired: (callbacks) => withMfa.sendMFACode(totp(secret), callbacks, 'SOFTWARE_TOKEN_MFA'),
  });
  assert.deepEqual(mfa.seen, ['totpRequired']);
  assert.ok(mfa.session.isValid());
});

test('ListUsers finds the user by email; a disabled user cannot sign in', async () => {
  const found = await send(sdk.ListUsersCommand, { UserPoolId: poolId, Filter: 'email = "jo@example.com"' });
  assert.deepEqual(found.Users.map((u) => u.Username), ['jo']);
  assert.equal(found.Users[0].UserStatus, 'CONFIRMED');
  const none = await send(sdk.ListUsersCommand, { UserPoolId: poolId, Filter: 'email ^= "nobody"' });
  assert.deepEqual(none.Users, []);
  await assert.rejects(
    send(sdk.ListUsersCommand, { UserPoolId: poolId, Filter: 'email = jo' }),
    (err) => err instanceof sdk.InvalidParameterException && err.message === 'Error while parsing filter.',
  );

  await send(sdk.AdminDisableUserCommand, { UserPoolId: poolId, Username: 'jo' });
  await refused(signIn(user('jo'), 'Chosen-Passw0rd'), 'NotAuthorizedException', /User is disabled\./);
  await send(sdk.AdminEnableUserCommand, { UserPoolId: poolId, Username: 'jo' });
  const withMfa = user('jo');
  await signIn(withMfa, 'Chosen-Passw0rd', {
    totpRequired: (callbacks) => withMfa.sendMFACode(totp(secret, 1), callbacks, 'SOFTWARE_TOKEN_MFA'),
  });
});

test('the pool goes with DeleteUserPool', async () => {
  await send(sdk.DeleteUserPoolCommand, { UserPoolId: poolId });
  await assert.rejects(send(sdk.DescribeUserPoolCommand, { UserPoolId: poolId }), sdk.ResourceNotFoundException);
});
