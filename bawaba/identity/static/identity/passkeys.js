/* Passkeys (WebAuthn) for Bawaba: progressive enhancement, shown only where supported. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }
  function b64uToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/"); while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function bufToB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf() {
    var m = document.querySelector("input[name=csrfmiddlewaretoken]");
    return m ? m.value : "";
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : "{}"
    }).then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw j; } return j; }); });
  }
  function showError(box) { var e = box.querySelector("[data-passkey-error]"); if (e) { e.hidden = false; } }

  document.querySelectorAll("[data-passkey-login]").forEach(function (box) {
    box.hidden = false;
    var btn = box.querySelector("button");
    btn.addEventListener("click", function () {
      post(btn.dataset.optionsUrl).then(function (opts) {
        opts.challenge = b64uToBuf(opts.challenge);
        (opts.allowCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
        return navigator.credentials.get({ publicKey: opts });
      }).then(function (cred) {
        return post(btn.dataset.verifyUrl, {
          id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
          response: {
            clientDataJSON: bufToB64u(cred.response.clientDataJSON),
            authenticatorData: bufToB64u(cred.response.authenticatorData),
            signature: bufToB64u(cred.response.signature),
            userHandle: cred.response.userHandle ? bufToB64u(cred.response.userHandle) : null
          },
          clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
        });
      }).then(function (res) { window.location.assign(res.redirect); })
        .catch(function () { showError(box); });
    });
  });

  document.querySelectorAll("[data-passkey-register]").forEach(function (box) {
    box.hidden = false;
    var btn = box.querySelector("button");
    btn.addEventListener("click", function () {
      post(btn.dataset.optionsUrl).then(function (opts) {
        opts.challenge = b64uToBuf(opts.challenge);
        opts.user.id = b64uToBuf(opts.user.id);
        (opts.excludeCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
        return navigator.credentials.create({ publicKey: opts });
      }).then(function (cred) {
        var name = (document.getElementById("passkey-name") || {}).value || "";
        return post(btn.dataset.registerUrl, {
          name: name,
          credential: {
            id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
            response: {
              clientDataJSON: bufToB64u(cred.response.clientDataJSON),
              attestationObject: bufToB64u(cred.response.attestationObject),
              transports: cred.response.getTransports ? cred.response.getTransports() : []
            },
            clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
          }
        });
      }).then(function () { window.location.reload(); })
        .catch(function () { showError(box); });
    });
  });
})();
