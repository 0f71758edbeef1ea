'use strict';
// aws-jwt-verify's CognitoJwtVerifier (what AWS users verify Cognito tokens with) accepts the
// emulator's id and access tokens: the issuer it derives from the pool id is the emulator's, and
// the JWKS comes from the emulator (GET, application/json). Tokens it must refuse, it refuses.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { CognitoJwtVerifier } = require('aws-jwt-verify');
const { SimpleJwksCache } = require('aws-jwt-verify/jwk');
const errors = require('aws-jwt-verify/error');
const { InitiateAuthCommand, CognitoIdentityProviderClient } = require('@aws-sdk/client-cognito-identity-provider');
const { info, client } = require('./support');

const web = client('web').client_id;
const other = client('other').client_id;
let jwks;
let tokens;

test('GET on the JWKS address gives the signing keys', async () => {
  const response = await fetch(info.jwks_uri);
  assert.equal(response.status, 200);
  jwks = JSON.parse(await response.text());
  assert.ok(jwks.keys.length >= 1);
  for (const key of jwks.keys) {
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.ok(key.kid);
  }
});

test('the JWKS and the OpenID configuration are served as application/json', async () => {
  const response = await fetch(info.jwks_uri);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  const discovery = await fetch(new URL(`${info.pool_id}/.well-known/openid-configuration`, info.endpoint));
  assert.equal(discovery.status, 200);
  assert.match(discovery.headers.get('content-type'), /^application\/json/);
  const config = await discovery.json();
  assert.equal(config.issuer, info.issuer);
  assert.equal(config.jwks_uri, info.jwks_uri);
});

test('sign in for tokens', async () => {
  const cognito = new CognitoIdentityProviderClient({
    region: info.region,
    endpoint: info.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const answer = await cognito.send(
    new InitiateAuthCommand({
      ClientId: web,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' },
    }),
  );
  tokens = answer.AuthenticationResult;
  assert.ok(tokens.AccessToken && tokens.IdToken);
});

// aws-jwt-verify fetches the JWKS from the address it derives from the issuer, over https only.
// Its documented hooks point it at the emulator instead: a JwksCache whose fetcher GETs the
// emulator's JWKS (and refuses to fetch anything else), or cacheJwks with a JWKS fetched before.
const asked = [];
const jwksCache = new SimpleJwksCache({
  fetcher: {
    fetch: async (uri) => {
      asked.push(uri);
      assert.equal(uri, `${info.issuer}/.well-known/jwks.json`, 'the verifier asked for an unexpected JWKS');
      const response = await fetch(info.jwks_uri);
      assert.equal(response.status, 200);
      return response.arrayBuffer();
    },
  },
});

function verifier(tokenUse, clientId) {
  return CognitoJwtVerifier.create({ userPoolId: info.pool_id, tokenUse, clientId }, { jwksCache });
}

function hydrated(tokenUse, clientId) {
  const v = CognitoJwtVerifier.create({ userPoolId: info.pool_id, tokenUse, clientId }, {
    jwksCache: new SimpleJwksCache({
      fetcher: { fetch: async (uri) => assert.fail(`no fetch expected, asked for ${uri}`) },
    }),
  });
  v.cacheJwks(jwks);
  return v;
}

test('CognitoJwtVerifier verifies the access token', async () => {
  const payload = await verifier('access', web).verify(tokens.AccessToken);
  assert.equal(payload.token_use, 'access');
  assert.equal(payload.client_id, web);
  assert.equal(payload.username, 'alice');
  assert.equal(payload.iss, info.issuer);
  assert.deepEqual(asked, [`${info.issuer}/.well-known/jwks.json`]);
  // With the JWKS given up front, verifySync does no I/O at all.
  assert.equal(hydrated('access', web).verifySync(tokens.AccessToken).sub, payload.sub);
});

test('CognitoJwtVerifier verifies the id token', async () => {
  const payload = await verifier('id', web).verify(tokens.IdToken);
  assert.equal(payload.token_use, 'id');
  assert.equal(payload.aud, web);
  assert.equal(payload['cognito:username'], 'alice');
  assert.equal(payload.email, 'alice@example.com');
  assert.equal(hydrated('id', web).verifySync(tokens.IdToken).sub, payload.sub);
});

test('CognitoJwtVerifier refuses the wrong use, the wrong client and a changed token', async () => {
  await assert.rejects(verifier('access', web).verify(tokens.IdToken), errors.CognitoJwtInvalidTokenUseError);
  await assert.rejects(verifier('id', web).verify(tokens.AccessToken), errors.CognitoJwtInvalidTokenUseError);
  await assert.rejects(verifier('access', other).verify(tokens.AccessToken), errors.CognitoJwtInvalidClientIdError);
  await assert.rejects(verifier('id', other).verify(tokens.IdToken), errors.CognitoJwtInvalidClientIdError);
  const [header, payload, signature] = tokens.AccessToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  const forged = Buffer.from(JSON.stringify({ ...claims, username: 'mallory' })).toString('base64url');
  await assert.rejects(verifier('access', web).verify([header, forged, signature].join('.')), errors.JwtInvalidSignatureError);
});
