// Verify an act in the visitor's own browser, trusting nothing the server says.
//
// Inputs, all on the page: the log's verifier key (editable), the receipt (a
// c2sp.org/tlog-proof@v1 with its signed checkpoint note), the entry's exact
// bytes, the signers' public keys and the texts shown. Checks, with WebCrypto
// only (SHA-256, Ed25519):
//   1. the verifier key is well formed and its key ID matches its name and key;
//   2. the receipt parses and is for the log index the page shows;
//   3. the checkpoint note carries a valid Ed25519 signature by that key, and
//      its origin is the key's name;
//   4. the RFC 6962 leaf hash of the entry, folded with the inclusion proof,
//      gives exactly the checkpoint's root hash;
//   5. every signature in the entry verifies over "depositary/act/v1\n" + payload,
//      by exactly the keys the page lists as signers;
//   6. the signed payload is this act, and the texts on the page are the signed texts;
//   7. every evidence entry on the page is in the log (its own receipt), carries a
//      valid signature by the depositary's key over "depositary/statement/v1\n" +
//      payload, names this act and its leaf hash, follows the entry before it
//      (the act, then each link of the chain in turn), and is of the kind shown.
"use strict";
(function () {
  const ACT_PREFIX = "depositary/act/v1\n";
  const STATEMENT_PREFIX = "depositary/statement/v1\n";
  const SIGNED_STATEMENT = "depositary/signed-statement";
  const PROOF_HEADER = "c2sp.org/tlog-proof@v1";
  const SIG_PREFIX = "\u2014 ";
  const enc = new TextEncoder();
  const utf8 = new TextDecoder("utf-8", { fatal: true });

  class Failure extends Error {}
  function fail(message) {
    throw new Failure(message);
  }

  function fromB64(text, what) {
    const re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    if (!re.test(text)) fail(what + " is not padded base64");
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  function decode(bytes, what) {
    try {
      return utf8.decode(bytes);
    } catch (e) {
      return fail(what + " is not UTF-8");
    }
  }

  async function sha256(...parts) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
  }

  async function ed25519(publicKey, signature, message) {
    let key;
    try {
      key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      fail("a key is not a usable Ed25519 public key");
    }
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }

  function decimal(text, what) {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) fail(what + " is not a decimal number");
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail(what + " is too large for this checker");
    return n;
  }

  // name+hexid+base64(0x01 || 32-byte key)
  async function parseVkey(vkey) {
    const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
    if (!m) fail("not a verifier key of the form name+hexid+base64");
    const raw = fromB64(m[3], "the verifier key");
    if (raw.length !== 33 || raw[0] !== 0x01) fail("not an Ed25519 verifier key (type 0x01, 32 bytes)");
    const name = m[1];
    const id = (await sha256(enc.encode(name + "\n"), raw)).slice(0, 4);
    if (hex(id) !== m[2]) fail("the key ID " + m[2] + " does not match the name and key");
    return { name, id: m[2], publicKey: raw.slice(1) };
  }

  function parseProof(bytes) {
    let split = -1;
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] === 10 && bytes[i + 1] === 10) {
        split = i;
        break;
      }
    }
    if (split < 0) fail("no blank line before the checkpoint");
    const lines = decode(bytes.slice(0, split), "the proof header").split("\n");
    if (lines[0] !== PROOF_HEADER) fail("does not start with " + PROOF_HEADER);
    let pos = 1;
    if (pos < lines.length && lines[pos].startsWith("extra ")) pos++;
    if (pos >= lines.length || !lines[pos].startsWith("index ")) fail("no index line");
    const index = decimal(lines[pos].slice(6), "the index");
    const hashes = lines.slice(pos + 1).map((line, i) => {
      const h = fromB64(line, "proof hash " + i);
      if (h.length !== 32) fail("proof hash " + i + " is not 32 bytes");
      return h;
    });
    if (hashes.length > 63) fail("too many proof hashes");
    return { index, hashes, checkpoint: bytes.slice(split + 2) };
  }

  function parseNote(bytes) {
    const text = decode(bytes, "the checkpoint note");
    const split = text.lastIndexOf("\n\n");
    if (split < 0 || !text.endsWith("\n")) fail("the checkpoint note has no signature block");
    const body = text.slice(0, split + 1);
    const signatures = text
      .slice(split + 2, -1)
      .split("\n")
      .map((line) => {
        if (!line.startsWith(SIG_PREFIX)) fail("a note signature line does not start with an em dash");
        const rest = line.slice(SIG_PREFIX.length);
        const space = rest.lastIndexOf(" ");
        if (space <= 0) fail("a note signature line has no key name");
        const blob = fromB64(rest.slice(space + 1), "a note signature");
        if (blob.length < 5) fail("a note signature is too short");
        return { name: rest.slice(0, space), id: hex(blob.slice(0, 4)), signature: blob.slice(4) };
      });
    return { body, signatures };
  }

  function parseCheckpoint(body) {
    const lines = body.slice(0, -1).split("\n");
    if (lines.length < 3) fail("the checkpoint has fewer than three lines");
    const root = fromB64(lines[2], "the root hash");
    if (root.length !== 32) fail("the root hash is not 32 bytes");
    return { origin: lines[0], size: decimal(lines[1], "the tree size"), root };
  }

  // RFC 9162 section 2.1.3.2: the root implied by an inclusion proof.
  async function rootFromInclusion(index, size, leaf, proof) {
    if (index >= size) fail("index " + index + " is not below the tree size " + size);
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    const node = new Uint8Array([1]);
    for (const p of proof) {
      if (sn === 0) fail("the proof is longer than the tree allows");
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(node, p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await sha256(node, r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) fail("the proof is shorter than the tree needs");
    return r;
  }

  function toB64(bytes) {
    return btoa(String.fromCharCode(...bytes));
  }

  function parseJson(bytes, what) {
    const text = decode(bytes, what);
    try {
      return JSON.parse(text);
    } catch (e) {
      return fail(what + " is not JSON");
    }
  }

  // A checkpoint note signed by the log's key, with its origin the key's name.
  async function signedCheckpoint(noteBytes, log) {
    const note = parseNote(noteBytes);
    const mine = note.signatures.filter((s) => s.name === log.name && s.id === log.id);
    if (mine.length === 0) fail("the checkpoint carries no signature by " + log.name);
    for (const s of mine) {
      if (!(await ed25519(log.publicKey, s.signature, enc.encode(note.body)))) {
        fail("the log's signature on the checkpoint does not verify");
      }
    }
    const cp = parseCheckpoint(note.body);
    if (cp.origin !== log.name) fail("the checkpoint's origin is not " + log.name);
    return cp;
  }

  // Each evidence entry: in the log, signed by the depositary, chained from the act.
  async function checkEvidence(section, log, actEntry) {
    const key = fromB64(document.getElementById("dkey").value.trim(), "the depositary key");
    if (key.length !== 32) fail("the depositary key is not 32 bytes");
    const actHash = hex(await sha256(new Uint8Array([0]), actEntry));
    let prev = actHash;
    const items = Array.from(document.querySelectorAll("[data-evidence-index]"));
    for (const el of items) {
      const at = "evidence #" + el.dataset.evidenceIndex;
      const proof = parseProof(enc.encode(el.querySelector("[data-evidence-receipt]").textContent));
      if (proof.index !== decimal(el.dataset.evidenceIndex, at)) fail(at + ": its receipt is for index " + proof.index);
      const cp = await signedCheckpoint(proof.checkpoint, log);
      const entry = fromB64(el.querySelector("[data-evidence-entry]").textContent.trim(), at);
      const leaf = await sha256(new Uint8Array([0]), entry);
      if (!equal(await rootFromInclusion(proof.index, cp.size, leaf, proof.hashes), cp.root)) {
        fail(at + ": not in the log (its inclusion proof gives another root)");
      }
      const signed = parseJson(entry, at);
      if (signed.type !== SIGNED_STATEMENT || signed.version !== 1) fail(at + ": not a signed statement");
      if (signed.public_key !== toB64(key)) fail(at + ": signed by " + String(signed.public_key).slice(0, 12) + "…, not the depositary key");
      const payload = fromB64(signed.payload, at + ": the payload");
      const message = concat(enc.encode(STATEMENT_PREFIX), payload);
      if (!(await ed25519(key, fromB64(signed.signature, at + ": the signature"), message))) {
        fail(at + ": the depositary's signature does not verify");
      }
      const statement = parseJson(payload, at + ": the payload");
      const ev = statement.body || {};
      if (statement.kind !== "evidence") fail(at + ": the depositary signed a " + statement.kind + ", not evidence");
      if (ev.act_id !== section.dataset.actId) fail(at + ": is evidence on " + ev.act_id);
      if (ev.act_hash !== actHash) fail(at + ": names another act hash");
      if (ev.prev !== prev) fail(at + ": does not follow the entry before it (the chain is broken)");
      if (ev.kind !== el.dataset.evidenceKind) fail(at + ": the page says " + el.dataset.evidenceKind + ", the depositary signed " + ev.kind);
      prev = hex(leaf);
    }
    return items.length + " entr" + (items.length === 1 ? "y" : "ies") + ", each in the log, signed by the depositary and chained from the act";
  }

  function pageText(id) {
    const el = document.getElementById(id);
    if (!el) fail("the page has no #" + id);
    return el.textContent;
  }

  async function checkAll(section, report) {
    const ctx = {};
    const step = async (name, needs, fn) => {
      if (needs.some((k) => !(k in ctx))) {
        report(name, false, "not checked: an earlier step failed");
        return;
      }
      try {
        report(name, true, await fn());
      } catch (e) {
        report(name, false, e instanceof Failure ? e.message : "error: " + e);
      }
    };
    await step("The log's verifier key", [], async () => {
      ctx.log = await parseVkey(document.getElementById("vkey").value);
      return ctx.log.name + " (key ID " + ctx.log.id + ")";
    });
    await step("The receipt", [], async () => {
      ctx.proof = parseProof(enc.encode(pageText("receipt-text")));
      const shown = decimal(section.dataset.index, "the page's log index");
      if (ctx.proof.index !== shown) {
        const claimed = ctx.proof.index;
        delete ctx.proof;
        fail("the receipt is for index " + claimed + ", the page says " + shown);
      }
      return "a tlog-proof for index " + shown + " with " + ctx.proof.hashes.length + " hashes";
    });
    await step("The checkpoint is signed by the log", ["log", "proof"], async () => {
      const cp = await signedCheckpoint(ctx.proof.checkpoint, ctx.log);
      ctx.cp = cp;
      return cp.origin + " at size " + cp.size + ", root " + hex(cp.root).slice(0, 16) + "…";
    });
    await step("The entry is in the log", ["proof", "cp"], async () => {
      ctx.entry = fromB64(pageText("entry-b64").trim(), "the entry");
      const leaf = await sha256(new Uint8Array([0]), ctx.entry);
      const root = await rootFromInclusion(ctx.proof.index, ctx.cp.size, leaf, ctx.proof.hashes);
      if (!equal(root, ctx.cp.root)) {
        delete ctx.entry;
        fail("the inclusion proof gives root " + hex(root).slice(0, 16) + "…, not the checkpoint's " + hex(ctx.cp.root).slice(0, 16) + "…");
      }
      return "leaf hash " + hex(leaf).slice(0, 16) + "… at index " + ctx.proof.index + " recomputes the signed root";
    });
    await step("The act's signatures", ["entry"], async () => {
      let envelope;
      try {
        envelope = JSON.parse(decode(ctx.entry, "the entry"));
      } catch (e) {
        fail(e instanceof Failure ? e.message : "the entry is not JSON");
      }
      if (envelope.type !== "depositary/envelope" || envelope.version !== 1) fail("the entry is not a signed act");
      const payload = fromB64(envelope.payload, "the payload");
      const shown = new Set(Array.from(section.ownerDocument.querySelectorAll("[data-public-key]"), (el) => el.dataset.publicKey));
      const used = new Set();
      for (const s of envelope.signatures) {
        if (!shown.has(s.public_key)) fail("signed by a key this page does not show: " + s.public_key);
        const ok = await ed25519(fromB64(s.public_key, "a public key"), fromB64(s.signature, "a signature"), concat(enc.encode(ACT_PREFIX), payload));
        if (!ok) fail("the signature by " + s.public_key.slice(0, 12) + "… does not verify");
        used.add(s.public_key);
      }
      if (used.size !== shown.size) fail("the page lists a signer whose signature is not in the entry");
      ctx.payload = JSON.parse(decode(payload, "the payload"));
      return used.size + " Ed25519 signature" + (used.size === 1 ? "" : "s") + " over the act, by the keys shown";
    });
    await step("The page shows what was signed", ["payload"], async () => {
      const act = ctx.payload;
      if (act.act_id !== section.dataset.actId) fail("the signed act is " + act.act_id + ", not " + section.dataset.actId);
      const blocks = Array.from(document.querySelectorAll("[data-text-lang]"));
      if (blocks.length !== act.texts.length) fail("the page shows " + blocks.length + " texts, the act has " + act.texts.length);
      for (const el of blocks) {
        const t = act.texts.find((x) => x.lang === el.dataset.textLang);
        if (!t) fail("the page shows a text in " + el.dataset.textLang + " that the act does not have");
        if (t.content !== el.textContent) fail("the " + t.lang + " text on the page differs from the signed text");
      }
      return act.act_id + ": " + blocks.length + " text" + (blocks.length === 1 ? "" : "s") + " identical to the signed ones";
    });
    await step("The depositary's evidence", ["log", "entry"], () => checkEvidence(section, ctx.log, ctx.entry));
  }

  async function verify(section, button) {
    const list = document.getElementById("verify-steps");
    const result = document.getElementById("verify-result");
    list.replaceChildren();
    result.dataset.result = "running";
    result.textContent = "Checking…";
    button.disabled = true;
    const failures = [];
    const report = (name, ok, detail) => {
      const li = document.createElement("li");
      li.className = ok ? "pass" : "fail";
      li.dataset.ok = ok ? "true" : "false";
      const strong = document.createElement("strong");
      strong.textContent = name + ": ";
      li.append(strong, document.createTextNode(detail));
      list.append(li);
      if (!ok) failures.push(name + ": " + detail);
    };
    try {
      if (!window.crypto || !crypto.subtle) {
        report("WebCrypto", false, "this page must be opened over https (or on localhost) to use WebCrypto");
      } else {
        await checkAll(section, report);
      }
    } finally {
      button.disabled = false;
    }
    result.dataset.result = failures.length ? "fail" : "pass";
    result.textContent = failures.length
      ? "Verification FAILED. " + failures[0]
      : "Verified in your browser: this act is in the log under the checkpoint signed by the log key, its signatures are valid, and so is every step of its evidence.";
  }

  function init() {
    const section = document.getElementById("verify");
    const button = document.getElementById("verify-button");
    if (!section || !button) return;
    button.hidden = false;
    button.addEventListener("click", () => verify(section, button));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
