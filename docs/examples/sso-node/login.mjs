// Bawaba single sign-on from Node.js with openid-client (v6). Framework-neutral: call these
// functions from your web framework's routes, keeping `session` server-side.
//
//   npm ci
//   ISSUER=http://127.0.0.1:8000 CLIENT_ID=... CLIENT_SECRET=... \
//   REDIRECT_URI=http://127.0.0.1:3000/callback node login.mjs
//
// With DPOP=1 the tokens are bound to a key pair made here (DPoP, RFC 9449): every token
// and userinfo request then carries a proof signed with it.
//
// Run like this, it prints the address to send the person to, then reads (from standard
// input) the address Bawaba sent them back to, and prints what the service received as JSON.
// bawaba/sso/tests/test_docs_example.py runs it this way against a live provider.
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';

// Discovery: endpoints and keys from {issuer}/.well-known/openid-configuration. Bawaba
// registers services for client_secret_basic unless asked otherwise.
export async function discover(issuer, clientId, clientSecret) {
  const url = new URL(issuer);
  // Plain http only for a provider on your own machine (development).
  const options = url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
  return client.discovery(url, clientId, undefined, client.ClientSecretBasic(clientSecret), options);
}

// 1. Send the person to Bawaba (verifier, state and nonce stay in your session).
export async function loginUrl(config, session, redirectUri, acr = 'loa-substantial') {
  session.verifier = client.randomPKCECodeVerifier();
  session.state = client.randomState();
  session.nonce = client.randomNonce();
  return client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile phone',
    code_challenge: await client.calculatePKCECodeChallenge(session.verifier),
    code_challenge_method: 'S256',
    state: session.state,
    nonce: session.nonce,
    acr_values: acr,
  });
}

// Optional: sender-constrained tokens (DPoP). Keep the key pair for the whole session (in a
// browser app, a non-extractable key in IndexedDB); a stolen token is useless without it.
export async function withDPoP(config, session) {
  session.dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
}

// 2. On your redirect URI (callbackUrl is the full address Bawaba redirected to): the code
// exchange checks state, nonce, PKCE and the ID token; `claims()` are its validated claims.
export async function callback(config, session, callbackUrl) {
  const dpop = session.dpop ? { DPoP: session.dpop } : undefined;
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callbackUrl),
    { pkceCodeVerifier: session.verifier, expectedState: session.state, expectedNonce: session.nonce },
    undefined,
    dpop,
  );
  const claims = tokens.claims(); // sub, acr, amr, auth_time, sid, name#ar, ...
  if (claims.acr !== 'loa-substantial') throw new Error(`weaker login than asked: ${claims.acr}`);
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, dpop);
  session.tokens = tokens;
  session.idToken = tokens.id_token; // keep it: logout needs it as id_token_hint
  return { claims, userinfo };
}

// 3. Refresh tokens rotate: always keep the new one (the old one is now invalid). The
// response has a new ID token for the same login (same sub, auth_time, acr, sid).
export async function refresh(config, session) {
  const dpop = session.dpop ? { DPoP: session.dpop } : undefined;
  session.tokens = await client.refreshTokenGrant(config, session.tokens.refresh_token, undefined, dpop);
  return session.tokens;
}

// 4. Log out at Bawaba too (RP-initiated logout); Bawaba tells the person's other services.
export const logoutUrl = (config, session, postLogoutRedirectUri) =>
  client.buildEndSessionUrl(config, {
    id_token_hint: session.idToken,
    post_logout_redirect_uri: postLogoutRedirectUri,
  });

async function main() {
  const env = process.env;
  const config = await discover(env.ISSUER, env.CLIENT_ID, env.CLIENT_SECRET);
  const session = {};
  if (env.DPOP === '1') await withDPoP(config, session);
  console.log((await loginUrl(config, session, env.REDIRECT_URI)).href);
  const input = createInterface({ input: process.stdin });
  const callbackUrl = await new Promise((resolve) => input.once('line', resolve));
  input.close();
  const { claims, userinfo } = await callback(config, session, callbackUrl.trim());
  const first = session.tokens;
  const refreshed = await refresh(config, session);
  console.log(
    JSON.stringify({
      claims,
      userinfo,
      rotated: refreshed.refresh_token !== first.refresh_token,
      tokenTypes: [first.token_type, refreshed.token_type],
      accessToken: refreshed.access_token,
      refreshedClaims: refreshed.claims(),
      logoutUrl: logoutUrl(config, session, env.POST_LOGOUT_REDIRECT_URI || env.REDIRECT_URI).href,
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
