// Package fetch is the one outbound HTTP client of Sceau. Everything the
// server or "sceau verify" reads from the network goes through it: Open
// Badges 3.0 and 2.0 documents, badge classes, issuer profiles, public keys,
// revocation and status lists, did:web documents and images.
//
// # Threat model
//
// The URLs come from untrusted input: a badge someone uploads names its
// issuer, its keys and its status list, and a verifier that follows them
// blindly is a server-side request forgery (SSRF) tool. An attacker could
// make Sceau read the cloud metadata service (169.254.169.254), an admin
// page on localhost, or a database on the private network, and learn from
// the answers or the timings. So the client:
//
//   - speaks HTTPS only; plain HTTP only to hosts the operator allow-lists;
//   - refuses private, loopback, link-local, multicast, CGNAT, reserved and
//     documentation addresses (and their IPv4-mapped, NAT64 and 6to4
//     forms). The check runs at dial time on the very address dialled,
//     after DNS resolution, so a name that resolves to a public address
//     when checked and to 127.0.0.1 when connected (DNS rebinding) cannot
//     slip through; no environment proxy is used;
//   - re-checks every redirect hop (scheme, allow-list, address) and stops
//     after a few;
//   - bounds time (one deadline per request covering dial, TLS, headers and
//     body) and size (at most limit+1 bytes are read);
//   - checks the Content-Type against what the caller expects.
//
// Operators (and tests) open holes with an AllowList (SCEAU_FETCH_ALLOW):
// host names, host:port pairs and CIDR ranges that may be reached even on
// private addresses and over plain HTTP. The resolver can be replaced (for
// tests), but whatever it answers still goes through the address check, so
// no option weakens the protection except the allow-list itself.
//
// Status lists and DID documents can be cached in memory (Request.Cache),
// honouring Cache-Control, Expires and ETag/Last-Modified revalidation.
package fetch
