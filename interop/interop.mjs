// Interoperability check against Digital Bazaar's reference implementation of
// eddsa-rdfc-2022 (the one most Open Badges 3.0 wallets and verifiers use).
//
//   node interop.mjs verify FILE...          verify credentials signed by `sceau sign`
//   node interop.mjs sign SEED_HEX FILE      sign an unsigned credential with the
//                                           Ed25519 key of that 32-byte seed (did:key issuer)
//
// Nothing is fetched: contexts come from the files Sceau bundles
// (../jsonld/contexts/index.json) and did:key documents are derived locally.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = process.env.SCEAU_CONTEXTS || join(here, '..', 'jsonld', 'contexts');
const contextIndex = JSON.parse(readFileSync(join(contextsDir, 'index.json'), 'utf8'));

function didKeyDocument(did) {
  const fingerprint = did.slice('did:key:'.length);
  const vmID = `${did}#${fingerprint}`;
  const method = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: vmID, type: 'Multikey', controller: did, publicKeyMultibase: fingerprint,
  };
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did, verificationMethod: [method],
    assertionMethod: [vmID], authentication: [vmID],
  };
}

async function documentLoader(url) {
  if (contextIndex[url]) {
    const document = JSON.parse(readFileSync(join(contextsDir, contextIndex[url]), 'utf8'));
    return {contextUrl: null, documentUrl: url, document};
  }
  if (url.startsWith('did:key:')) {
    const [did, fragment] = url.split('#');
    const doc = didKeyDocument(did);
    const document = fragment ? doc.verificationMethod[0] : doc;
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`interop: refusing to load ${url}: not bundled`);
}

// Status is Sceau's business, not the proof's: accept any status entry here.
const checkStatus = async () => ({verified: true});

async function verify(files) {
  let failed = 0;
  for (const file of files) {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
    const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
    if (result.verified) {
      console.log(`ok   ${file}`);
    } else {
      failed++;
      const errs = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
      console.log(`FAIL ${file}: ${errs.map(e => e.message || e.name).join('; ')}`);
    }
  }
  return failed;
}

async function sign(seedHex, file) {
  const seed = Uint8Array.from(Buffer.from(seedHex, 'hex'));
  const key = await Ed25519Multikey.generate({seed});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.id = `${did}#${key.publicKeyMultibase}`;
  key.controller = did;
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  credential.issuer = typeof credential.issuer === 'object' ?
    {...credential.issuer, id: did} : did;
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.issue({credential, suite, documentLoader});
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'verify' && args.length > 0) {
  process.exit(await verify(args) === 0 ? 0 : 1);
} else if (cmd === 'sign' && args.length === 2) {
  await sign(args[0], args[1]);
} else {
  console.error('usage: node interop.mjs verify FILE... | sign SEED_HEX FILE');
  process.exit(2);
}
