// amazon-cognito-identity-js over the emulator: its pool, promises over the SDK's callbacks, an
// SRP sign-in.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';

/** The JS SDK's pool for the emulator's first app client (tokens in the SDK's memory storage). */
export function userPool(emulator) {
  return new CognitoUserPool({
    UserPoolId: emulator.poolId,
    ClientId: emulator.clientId,
    endpoint: emulator.endpoint,
  });
}

/** A promise over a node-style callback: `call((cb) => pool.signUp(..., cb))`. */
export function call(begin) {
  return new Promise((resolve, reject) => begin((err, value) => (err ? reject(err) : resolve(value))));
}

/** SRP sign-in (the SDK's default flow); resolves to the session, rejects with Cognito's error. */
export function signIn(pool, username, password) {
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: pool.storage });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('unexpected SMS_MFA')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA')),
      mfaSetup: () => reject(new Error('unexpected MFA_SETUP')),
      selectMFAType: () => reject(new Error('unexpected SELECT_MFA_TYPE')),
      customChallenge: () => reject(new Error('unexpected CUSTOM_CHALLENGE')),
    });
  });
}
