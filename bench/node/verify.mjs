// aws-jwt-verify's verifySync on the token and JWKS that bench/benches/verify_compare.rs
// wrote (a Cognito access token, RS256, RSA-2048; checks on the signature, iss, token_use,
// client_id and exp), with the JWKS cached: a warm-key verify, as on the Rust side.
//
//   cargo bench -p cognito-flows-bench --bench verify_compare
//   node bench/node/verify.mjs target/verify-bench/token.json
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const path = process.argv[2] ?? "target/verify-bench/token.json";
const { token, jwks, userPoolId, clientId } = JSON.parse(readFileSync(path, "utf8"));
const verifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId });
verifier.cacheJwks(jwks);
verifier.verifySync(token); // throws if the token does not verify

const rounds = Number(process.env.VERIFY_BENCH_ROUNDS ?? 101);
const batch = 100;
for (let i = 0; i < 3 * batch; i++) verifier.verifySync(token); // warm up
const samples = [];
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) verifier.verifySync(token);
  samples.push(Number(process.hrtime.bigint() - start) / batch / 1000);
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(
  `aws-jwt-verify verifySync (node ${process.version}), ${rounds} rounds of ${batch}: ` +
    `median ${median.toFixed(2)} us, fastest ${samples[0].toFixed(2)} us`,
);
