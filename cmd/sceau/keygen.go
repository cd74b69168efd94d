package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sceau/sceau/did"
)

// keyFile is the key file format: a Multikey verification method with its
// secret key, the form Digital Bazaar's tools export, so a key moves between
// Sceau and them unchanged.
type keyFile struct {
	Context            string `json:"@context"`
	Type               string `json:"type"`
	ID                 string `json:"id"`
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	SecretKeyMultibase string `json:"secretKeyMultibase"`
}

// signingKey is a key file once decoded.
type signingKey struct {
	priv ed25519.PrivateKey
	// method is the verification method id, controller the DID.
	method, controller string
}

func runKeygen(e *env, args []string) (int, error) {
	fs := newFlags(e, "keygen", "KEYFILE")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(pos) != 1 {
		return exitUsage, fmt.Errorf("%w: keygen takes one KEYFILE", errUsage)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return exitInvalid, fmt.Errorf("generate key: %w", err)
	}
	kf, err := newKeyFile(pub, priv)
	if err != nil {
		return exitInvalid, err
	}
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return exitInvalid, err
	}
	// O_EXCL: never overwrite a key that may already sign badges.
	f, err := os.OpenFile(pos[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return exitInvalid, fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return exitInvalid, fmt.Errorf("write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return exitInvalid, fmt.Errorf("write key: %w", err)
	}
	fmt.Fprintln(e.stdout, kf.Controller)
	return exitOK, nil
}

func newKeyFile(pub ed25519.PublicKey, priv ed25519.PrivateKey) (*keyFile, error) {
	pubMB, err := did.EncodeMultikey(pub)
	if err != nil {
		return nil, err
	}
	secMB, err := did.EncodePrivateMultikey(priv)
	if err != nil {
		return nil, err
	}
	controller := "did:key:" + pubMB
	return &keyFile{
		Context:            "https://w3id.org/security/multikey/v1",
		Type:               "Multikey",
		ID:                 controller + "#" + pubMB,
		Controller:         controller,
		PublicKeyMultibase: pubMB,
		SecretKeyMultibase: secMB,
	}, nil
}

// loadKey reads a key file and checks that its halves belong together.
func loadKey(path string) (*signingKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("key %s: readable by others (mode %v); run chmod 600", path, info.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	if kf.SecretKeyMultibase == "" {
		return nil, fmt.Errorf("key %s: no secretKeyMultibase", path)
	}
	priv, err := did.DecodePrivateMultikey(kf.SecretKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	want, err := newKeyFile(priv.Public().(ed25519.PublicKey), priv)
	if err != nil {
		return nil, err
	}
	if kf.PublicKeyMultibase != "" && kf.PublicKeyMultibase != want.PublicKeyMultibase {
		return nil, fmt.Errorf("key %s: publicKeyMultibase does not match the secret key", path)
	}
	k := &signingKey{priv: priv, method: kf.ID, controller: kf.Controller}
	if k.method == "" {
		k.method, k.controller = want.ID, want.Controller
	}
	if k.controller == "" {
		return nil, errors.New("key " + path + ": id without controller")
	}
	return k, nil
}
