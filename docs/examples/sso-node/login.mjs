// Bawaba single sign-on from Node.js with openid-client (v6).
//   npm ci && ISSUER=http://127.0.0.1:8000 CLIENT_ID=... CLIENT_SECRET=... \
//   REDIRECT_URI=http://127.0.0.1:3000/callback node login.mjs
import * as client from 'openid-client';

const issuer = new URL(process.env.ISSUER);
const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
const config = await client.discovery(issuer, process.env.CLIENT_ID, process.env.CLIENT_SECRET, undefined, options);

// 1. Send the person to Bawaba (keep verifier, state and nonce in your session).
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: process.env.REDIRECT_URI,
  scope: 'openid profile phone',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
  acr_values: 'loa-substantial',
});
console.log(url.href);

// 2. On your redirect URI (callbackUrl is the full URL Bawaba redirected to):
export async function callback(callbackUrl) {
  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims(); // validated ID token: sub, acr, amr, name#ar, ...
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  return { tokens, claims, userinfo };
}

// 3. Refresh (rotation: keep the new refresh token) and log out.
export const refresh = (refreshToken) => client.refreshTokenGrant(config, refreshToken);
export const logoutUrl = (idToken, postLogoutRedirectUri) =>
  client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri });
