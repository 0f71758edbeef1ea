'use strict';
// The real amazon-cognito-identity-js CookieStorage (and its js-cookie) in node, for
// tests/js_storage.rs: `write` stores a session as the JS SDK does (cacheTokens,
// cacheDeviceKeyAndPassword) and prints every cookie js-cookie assigned to document.cookie;
// `read` takes a Cookie header and prints what the JS SDK reads back (getCurrentUser, getSession
// offline since the tokens are valid, the cached device). Input and output are JSON.
const fs = require('node:fs');

const written = [];
const jar = new Map();
globalThis.document = {
  get cookie() {
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  },
  set cookie(line) {
    written.push(line);
    const [pair, ...attributes] = line.split('; ');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const expires = attributes.find((a) => a.startsWith('expires='));
    if (expires && Date.parse(expires.slice(8)) < Date.now()) jar.delete(name);
    else jar.set(name, pair.slice(at + 1));
  },
};

const {
  CognitoUserPool, CognitoUser, CookieStorage, CognitoUserSession,
  CognitoIdToken, CognitoAccessToken, CognitoRefreshToken,
} = require('amazon-cognito-identity-js');

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const storage = new CookieStorage({ domain: 'app.example', expires: 7, secure: true, sameSite: 'strict' });
const pool = new CognitoUserPool({ UserPoolId: input.pool_id, ClientId: input.client_id, Storage: storage });

if (process.argv[2] === 'write') {
  const user = new CognitoUser({ Username: input.username, Pool: pool, Storage: storage });
  user.signInUserSession = new CognitoUserSession({
    IdToken: new CognitoIdToken({ IdToken: input.id_token }),
    AccessToken: new CognitoAccessToken({ AccessToken: input.access_token }),
    RefreshToken: new CognitoRefreshToken({ RefreshToken: input.refresh_token }),
    ClockDrift: input.clock_drift,
  });
  user.cacheTokens();
  user.deviceKey = input.device_key;
  user.deviceGroupKey = input.device_group_key;
  user.randomPassword = input.random_password;
  user.cacheDeviceKeyAndPassword();
  process.stdout.write(JSON.stringify(written));
} else {
  for (const cookie of input.header.split('; ')) {
    const at = cookie.indexOf('=');
    jar.set(cookie.slice(0, at), cookie.slice(at + 1));
  }
  const user = pool.getCurrentUser();
  if (!user) throw new Error('no current user in the cookies');
  user.getSession((error, session) => {
    if (error) throw error;
    user.getCachedDeviceKeyAndPassword();
    process.stdout.write(JSON.stringify({
      username: user.getUsername(),
      id_token: session.getIdToken().getJwtToken(),
      access_token: session.getAccessToken().getJwtToken(),
      refresh_token: session.getRefreshToken().getToken(),
      clock_drift: session.getClockDrift(),
      device_key: user.deviceKey,
      device_group_key: user.deviceGroupKey,
      random_password: user.randomPassword,
    }));
  });
}
