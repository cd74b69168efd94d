package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/binary"
	"fmt"

	"github.com/mr-tron/base58"
)

// Multicodec codes of the key types this package reads and writes
// (https://github.com/multiformats/multicodec/blob/master/table.csv).
const (
	CodecEd25519Pub  = 0xed
	CodecP256Pub     = 0x1200
	CodecEd25519Priv = 0x1300
)

// EncodeMultikey encodes an Ed25519 or P-256 public key as a Multikey
// publicKeyMultibase value: 'z' + base58btc(varint(codec) || key). P-256
// keys are written as compressed points ("zDn…"), Ed25519 keys as the raw 32
// bytes ("z6Mk…").
func EncodeMultikey(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrInvalidKey, len(k))
		}
		return encodeMultibase(CodecEd25519Pub, k), nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		raw, err := k.Bytes()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		// raw is 0x04 || X || Y; the compressed form is (0x02 | parity of Y) || X.
		comp := make([]byte, 33)
		comp[0] = 0x02 | raw[64]&1
		copy(comp[1:], raw[1:33])
		return encodeMultibase(CodecP256Pub, comp), nil
	default:
		return "", fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
}

// DecodeMultikey decodes a publicKeyMultibase Multikey value holding an
// Ed25519 (0xed) or P-256 (0x1200, compressed) public key. It returns an
// ed25519.PublicKey or an *ecdsa.PublicKey.
func DecodeMultikey(s string) (crypto.PublicKey, error) {
	codec, key, err := decodeMultibase(s)
	if err != nil {
		return nil, err
	}
	switch codec {
	case CodecEd25519Pub:
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes, want %d", ErrInvalidKey, len(key), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(key), nil
	case CodecP256Pub:
		if len(key) != 33 {
			return nil, fmt.Errorf("%w: P-256 compressed point of %d bytes, want 33", ErrInvalidKey, len(key))
		}
		x, y := elliptic.UnmarshalCompressed(elliptic.P256(), key)
		if x == nil {
			return nil, fmt.Errorf("%w: P-256 point is not on the curve", ErrInvalidKey)
		}
		raw := make([]byte, 65)
		raw[0] = 0x04
		x.FillBytes(raw[1:33])
		y.FillBytes(raw[33:])
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
		if err != nil {
			return nil, fmt.Errorf("%w: P-256 point: %v", ErrInvalidKey, err)
		}
		return pub, nil
	case CodecEd25519Priv:
		return nil, fmt.Errorf("%w: Multikey holds a private key where a public key belongs", ErrInvalidKey)
	default:
		return nil, fmt.Errorf("%w: multicodec 0x%x", ErrUnsupportedKey, codec)
	}
}

// EncodePrivateMultikey encodes an Ed25519 private key (its 32-byte seed)
// as a Multikey secretKeyMultibase value (multicodec 0x1300), the form of
// key files written by `sceau keygen`.
func EncodePrivateMultikey(priv ed25519.PrivateKey) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrInvalidKey, len(priv))
	}
	return encodeMultibase(CodecEd25519Priv, priv.Seed()), nil
}

// DecodePrivateMultikey decodes a secretKeyMultibase Ed25519 private key
// (multicodec 0x1300, 32-byte seed).
func DecodePrivateMultikey(s string) (ed25519.PrivateKey, error) {
	codec, key, err := decodeMultibase(s)
	if err != nil {
		return nil, err
	}
	if codec != CodecEd25519Priv {
		return nil, fmt.Errorf("%w: multicodec 0x%x is not an Ed25519 private key (0x1300)", ErrUnsupportedKey, codec)
	}
	if len(key) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: Ed25519 seed of %d bytes, want %d", ErrInvalidKey, len(key), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(key), nil
}

func encodeMultibase(codec uint64, key []byte) string {
	buf := binary.AppendUvarint(make([]byte, 0, 2+len(key)), codec)
	return "z" + base58.Encode(append(buf, key...))
}

func decodeMultibase(s string) (codec uint64, key []byte, err error) {
	if len(s) > maxMultibaseLength {
		return 0, nil, fmt.Errorf("%w: multibase value of %d bytes exceeds %d", ErrTooLarge, len(s), maxMultibaseLength)
	}
	if s == "" || s[0] != 'z' {
		return 0, nil, fmt.Errorf("%w: multibase value must start with 'z' (base58btc)", ErrInvalidKey)
	}
	raw, err := base58.Decode(s[1:])
	if err != nil || len(raw) == 0 {
		return 0, nil, fmt.Errorf("%w: bad base58btc in multibase value", ErrInvalidKey)
	}
	codec, n := binary.Uvarint(raw)
	// Multicodec varints are minimal and at most 9 bytes; a non-minimal
	// encoding would give one key two spellings.
	if n <= 0 || n > 9 || len(binary.AppendUvarint(nil, codec)) != n {
		return 0, nil, fmt.Errorf("%w: bad multicodec varint", ErrInvalidKey)
	}
	return codec, raw[n:], nil
}
