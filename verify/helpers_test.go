package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

var bg = context.Background()

// Fixed times: the typical credential is valid from 2025-03-14 to 2028-03-14.
var (
	signTime = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	testNow  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

const (
	recipientEmail = "marie.tremblay@exemple.qc.ca"
	statusListURL  = "https://badges.exemple.qc.ca/status/1"
	statusIndex    = 94567
	revocationURL  = "https://badges.exemple.qc.ca/revocations"
)

// party is a key pair with its did:key.
type party struct {
	key    ed25519.PrivateKey
	did    string
	method string
}

func newParty(t testing.TB, seedByte byte) party {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seedByte}, ed25519.SeedSize))
	d, m, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return party{key: key, did: d, method: m}
}

// sign adds an eddsa-rdfc-2022 proof made by p's key under method vm ("" :
// p's own did:key method).
func (p party) sign(t testing.TB, doc []byte, vm string) []byte {
	t.Helper()
	if vm == "" {
		vm = p.method
	}
	s := &proof.Signer{Key: p.key, VerificationMethod: vm, Now: func() time.Time { return signTime }}
	out, err := s.Sign(doc, proof.SignOptions{})
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// typical returns the typical credential as a map, issued by issuerDID.
func typical(t testing.TB, issuerDID string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readTestdata(t, "typical-unsigned.json"), &m); err != nil {
		t.Fatal(err)
	}
	m["issuer"].(map[string]any)["id"] = issuerDID
	return m
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// achievement returns the achievement object of a credential map.
func achievement(m map[string]any) map[string]any {
	return m["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
}

// replaceOnce swaps old for new in b, failing when old is absent.
func replaceOnce(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%q not found", old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// statusList is a BitstringStatusListCredential issued by issuer, with the
// bits of set at 1, signed by signer.
func statusList(t testing.TB, issuer string, signer party, purpose string, set ...int) []byte {
	t.Helper()
	return statusListFrom(t, "2025-01-01T00:00:00Z", issuer, signer, purpose, set...)
}

// statusListFrom is statusList with its validFrom.
func statusListFrom(t testing.TB, validFrom, issuer string, signer party, purpose string, set ...int) []byte {
	t.Helper()
	bs, err := status.New(status.MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range set {
		if err := bs.Set(i, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := bs.Encode()
	if err != nil {
		t.Fatal(err)
	}
	doc := mustJSON(t, map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        statusListURL,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    issuer,
		"validFrom": validFrom,
		"credentialSubject": map[string]any{
			"id":            statusListURL + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": purpose,
			"encodedList":   enc,
		},
	})
	return signer.sign(t, doc, "")
}

// documents serves docs (URL → content) through verify.NewDocuments over an
// in-memory file system, as an appraiser's --documents directory would.
func documents(t testing.TB, docs map[string][]byte) *Documents {
	t.Helper()
	fsys := fstest.MapFS{}
	index := map[string]string{}
	i := 0
	for url, data := range docs {
		name := "doc" + string(rune('a'+i)) + ".json"
		i++
		index[url] = name
		fsys[name] = &fstest.MapFile{Data: data}
	}
	fsys["index.json"] = &fstest.MapFile{Data: mustJSON(t, index)}
	d, err := NewDocuments(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// plainPNG is a small valid PNG without any badge.
func plainPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(1, 1, color.NRGBA{R: 0xff, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const plainSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="teal"/></svg>`

func bakeInto(t testing.TB, img, payload []byte, f bake.Format) []byte {
	t.Helper()
	out, err := bake.Bake(img, payload, f)
	if err != nil {
		t.Fatalf("bake: %v", err)
	}
	return out
}

// outcomes summarises a report's checks as "code=outcome ..." for failure
// messages.
func outcomes(r *Report) string {
	var sb strings.Builder
	for _, c := range r.Checks {
		sb.WriteString(string(c.Code) + "=" + string(c.Outcome))
		if c.Detail != "" && c.Outcome != Pass {
			sb.WriteString("(" + c.Detail + ")")
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

// hostedKeys returns, for every validator fixture whose verification method
// is https://<controller>#<Multikey>, the controller document the issuer
// would host at <controller>, listing that key as an assertion method. The
// 1EdTech validator trusts a key written in the URL fragment; package proof
// deliberately does not (anyone can write a key in a URL), so these proofs
// only resolve when the issuer's document is served.
func hostedKeys(t testing.TB) map[string][]byte {
	t.Helper()
	keys := map[string][]string{}
	var files []string
	for _, pattern := range []string{"testdata/validator-ob30/*.json", "testdata/validator-ob30/*/*.json"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Methods appear in the credential's proofs and in its embedded
		// endorsements' proofs: collect them all.
		for _, vm := range collectMethods(data) {
			ctrl, frag, ok := strings.Cut(vm, "#")
			if !ok || !strings.HasPrefix(ctrl, "https://") {
				continue
			}
			if _, err := did.DecodeMultikey(frag); err != nil {
				continue // not a key: nothing an issuer could be hosting
			}
			dup := false
			for _, k := range keys[ctrl] {
				dup = dup || k == frag
			}
			if !dup {
				keys[ctrl] = append(keys[ctrl], frag)
			}
		}
	}
	docs := map[string][]byte{}
	for ctrl, ks := range keys {
		var methods, ids []any
		for _, k := range ks {
			id := ctrl + "#" + k
			methods = append(methods, map[string]any{"id": id, "type": "Multikey", "controller": ctrl, "publicKeyMultibase": k})
			ids = append(ids, id)
		}
		docs[ctrl] = mustJSON(t, map[string]any{
			"@context":           []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
			"id":                 ctrl,
			"verificationMethod": methods,
			"assertionMethod":    ids,
		})
	}
	return docs
}

// collectMethods returns every "verificationMethod" string found anywhere
// in a JSON document.
func collectMethods(data []byte) []string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "verificationMethod" {
					out = append(out, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
