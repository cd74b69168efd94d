package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/vcjwt"
)

func runSign(e *env, args []string) (int, error) {
	fs := newFlags(e, "sign", "--key KEYFILE [--format di|jwt] FILE")
	keyPath := fs.String("key", "", "key file written by 'sceau keygen'")
	format := fs.String("format", "di", "di: embedded Data Integrity proof (eddsa-rdfc-2022); jwt: VC-JWT")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if *keyPath == "" || len(pos) != 1 {
		return exitUsage, fmt.Errorf("%w: sign takes --key KEYFILE and one FILE", errUsage)
	}
	if *format != "di" && *format != "jwt" {
		return exitUsage, fmt.Errorf("%w: --format is di or jwt, not %q", errUsage, *format)
	}
	key, err := loadKey(*keyPath)
	if err != nil {
		return exitInvalid, err
	}
	cred, err := readInput(e, pos[0])
	if err != nil {
		return exitInvalid, err
	}
	cred, err = bindIssuer(bytes.TrimSpace(cred), key.controller)
	if err != nil {
		return exitInvalid, fmt.Errorf("sign %s: %w", pos[0], err)
	}
	if *format == "jwt" {
		token, err := vcjwt.Sign(cred, key.priv, key.method, vcjwt.SignOptions{})
		if err != nil {
			return exitInvalid, fmt.Errorf("sign %s: %w", pos[0], err)
		}
		fmt.Fprintln(e.stdout, token)
		return exitOK, nil
	}
	signer := &proof.Signer{Key: key.priv, VerificationMethod: key.method}
	signed, err := signer.Sign(cred, proof.SignOptions{})
	if err != nil {
		return exitInvalid, fmt.Errorf("sign %s: %w", pos[0], err)
	}
	// Whitespace is outside what the proof covers: lay the result out for
	// people to read.
	var out bytes.Buffer
	if err := json.Indent(&out, signed, "", "  "); err == nil {
		signed = out.Bytes()
	}
	if _, err := e.stdout.Write(signed); err != nil {
		return exitInvalid, err
	}
	if !bytes.HasSuffix(signed, []byte("\n")) {
		fmt.Fprintln(e.stdout)
	}
	return exitOK, nil
}

// bindIssuer makes sure the credential is issued by the key's controller: a
// credential signed by a key its issuer does not control would never
// verify. A missing issuer id is filled in; a different one is refused.
func bindIssuer(cred []byte, controller string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(cred))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}
	if _, signed := doc["proof"]; signed {
		// Adding a proof to a signed credential (a proof set) keeps its issuer.
		return cred, nil
	}
	var id string
	switch iss := doc["issuer"].(type) {
	case string:
		id = iss
	case map[string]any:
		id, _ = iss["id"].(string)
		if id == "" {
			iss["id"] = controller
			return json.MarshalIndent(doc, "", "  ")
		}
	case nil:
		doc["issuer"] = controller
		return json.MarshalIndent(doc, "", "  ")
	default:
		return nil, errors.New("issuer is neither an IRI nor an object")
	}
	if id != controller {
		return nil, fmt.Errorf("the issuer is %s but the key belongs to %s: a verifier would refuse the badge", id, controller)
	}
	return cred, nil
}
