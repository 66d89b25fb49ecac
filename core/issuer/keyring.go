package issuer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/tokengate/tokengate/internal"
)

// MinHMACSecret is the shortest HMAC secret accepted, in bytes: HS256
// needs a key at least as long as its hash (RFC 7518 §3.2).
const MinHMACSecret = 32

// maxSecretFile bounds the secret file read at startup.
const maxSecretFile = 1 << 20

// keyRing is the Issuer's signing material: the key that signs and the
// public keys resource servers verify with.
type keyRing struct {
	alg    jwa.SignatureAlgorithm
	signer jwk.Key // private (or symmetric) key, with its kid when it has one
	// raw is signer as the crypto key jws signs with, converted once
	// (an RSA key with its CRT values precomputed) instead of on every
	// token.
	raw    any
	public jwk.Set // public halves of the ring's asymmetric keys (the JWKS)
	hmac   []byte  // the HMAC secret, for HS256
}

// publicSet returns the public keys, or nil when there are none (HS256).
func (r *keyRing) publicSet() jwk.Set {
	if r.public.Len() == 0 {
		return nil
	}
	return r.public
}

// signingAlgorithms are the algorithms an Issuer signs with.
var signingAlgorithms = map[jwa.SignatureAlgorithm]bool{
	jwa.HS256: true, jwa.RS256: true, jwa.ES256: true, jwa.EdDSA: true,
}

// loadKeyRing builds the key ring from the configuration: the HMAC secret,
// the configured key set, or the secret file (generated when missing).
func loadKeyRing(c *Config, log *slog.Logger) (*keyRing, error) {
	alg := jwa.SignatureAlgorithm(c.Algorithm)
	if _, ok := signingAlgorithms[alg]; !ok {
		return nil, issuerFieldErr("Algorithm", "unsupported signing algorithm %q (want HS256, RS256, ES256 or EdDSA)", c.Algorithm)
	}
	switch {
	case len(c.HMACSecret) > 0:
		if alg != jwa.HS256 {
			return nil, issuerFieldErr("HMACSecret", "an HMAC secret signs HS256 tokens, not %s: set Algorithm to HS256", alg)
		}
		if len(c.HMACSecret) < MinHMACSecret {
			return nil, issuerFieldErr("HMACSecret", "must be at least %d bytes (it is %d)", MinHMACSecret, len(c.HMACSecret))
		}
		if err := internal.CheckSecretStrength(c.HMACSecret); err != nil {
			return nil, issuerConfigErr("HMACSecret", err)
		}
		key, err := jwk.FromRaw(append([]byte(nil), c.HMACSecret...))
		if err != nil {
			return nil, issuerConfigErr("HMACSecret", err)
		}
		return newKeyRing(alg, jwkSetOf(key), "HMACSecret")
	case c.SigningKeys != nil:
		return newKeyRing(alg, c.SigningKeys, "SigningKeys")
	case c.SecretFile != "":
		set, created, err := loadOrCreateKeySet(c.SecretFile, alg)
		if err != nil {
			return nil, issuerConfigErr("SecretFile", err)
		}
		ring, err := newKeyRing(alg, set, "SecretFile")
		if err != nil {
			return nil, err
		}
		if created {
			log.Info("tokengate: generated signing key", "file", c.SecretFile, "alg", string(alg), "kid", ring.signer.KeyID())
		} else {
			if fi, err := os.Stat(c.SecretFile); err == nil && fi.Mode().Perm()&0o044 != 0 {
				// Kubernetes mounts secrets 0644 by default: a warning.
				log.Warn("tokengate: secret file is readable by others; chmod 600 it", "file", c.SecretFile)
			}
			log.Info("tokengate: loaded signing key", "file", c.SecretFile, "alg", string(alg), "kid", ring.signer.KeyID())
		}
		return ring, nil
	}
	return nil, issuerFieldErr("SecretFile", "no signing material: set HMACSecret, SigningKeys or SecretFile")
}

func jwkSetOf(keys ...jwk.Key) jwk.Set {
	set := jwk.NewSet()
	for _, k := range keys {
		_ = set.AddKey(k)
	}
	return set
}

// newKeyRing picks the first key of set that can sign alg; the public
// halves of every asymmetric private key in set are published, so that
// tokens signed by an older key of the ring still verify.
func newKeyRing(alg jwa.SignatureAlgorithm, set jwk.Set, field string) (*keyRing, error) {
	ring := &keyRing{alg: alg, public: jwk.NewSet()}
	ctx := context.Background()
	for it := set.Keys(ctx); it.Next(ctx); {
		key := it.Pair().Value.(jwk.Key)
		var raw any
		if err := key.Raw(&raw); err != nil {
			return nil, issuerConfigErr(field, fmt.Errorf("key %q: %w", key.KeyID(), err))
		}
		if isPrivateKey(raw) {
			pub, err := key.PublicKey()
			if err != nil {
				return nil, issuerConfigErr(field, fmt.Errorf("key %q: %w", key.KeyID(), err))
			}
			_ = pub.Set(jwk.KeyUsageKey, jwk.ForSignature)
			_ = ring.public.AddKey(pub)
		}
		if ring.signer != nil {
			continue
		}
		if err := fitsSigning(alg, raw); err != nil {
			if set.Len() == 1 {
				return nil, issuerConfigErr(field, fmt.Errorf("key %q: %w%s", key.KeyID(), err, mismatchHint(field)))
			}
			continue
		}
		ring.signer, ring.raw = key, raw
		switch k := raw.(type) {
		case []byte:
			ring.hmac = k
		case *rsa.PrivateKey:
			k.Precompute()
		}
	}
	if ring.signer == nil {
		return nil, issuerFieldErr(field, "holds no key that can sign %s%s", alg, mismatchHint(field))
	}
	return ring, nil
}

// mismatchHint tells what to do about keys that do not fit Algorithm.
func mismatchHint(field string) string {
	if field == "SecretFile" {
		return "; set Algorithm to the key's, or move the file away to have a new key generated"
	}
	return "; set Algorithm to the key's"
}

// isPrivateKey reports whether raw is an asymmetric private key.
func isPrivateKey(raw any) bool {
	switch raw.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return true
	}
	return false
}

// fitsSigning checks that raw can sign alg with adequate strength.
func fitsSigning(alg jwa.SignatureAlgorithm, raw any) error {
	switch k := raw.(type) {
	case []byte:
		if alg != jwa.HS256 {
			return fmt.Errorf("a symmetric key cannot sign %s", alg)
		}
		if len(k) < MinHMACSecret {
			return fmt.Errorf("HMAC secret must be at least %d bytes (it is %d)", MinHMACSecret, len(k))
		}
		return nil
	case *rsa.PrivateKey:
		if alg != jwa.RS256 {
			return fmt.Errorf("an RSA key cannot sign %s", alg)
		}
		if k.N.BitLen() < 2048 {
			return errors.New("RSA key is shorter than 2048 bits")
		}
		return nil
	case *ecdsa.PrivateKey:
		if alg != jwa.ES256 || k.Curve != elliptic.P256() {
			return fmt.Errorf("this ECDSA key cannot sign %s", alg)
		}
		return nil
	case ed25519.PrivateKey:
		if alg != jwa.EdDSA {
			return fmt.Errorf("an Ed25519 key cannot sign %s", alg)
		}
		return nil
	}
	return fmt.Errorf("not a private signing key (%T)", raw)
}

// loadOrCreateKeySet reads the key set kept in path, or generates one for
// alg and writes it there with mode 0600 when path does not exist, its
// directory created with mode 0700 when missing. The file is created
// atomically (written aside, then linked into place), so two instances
// starting together end up with the same key.
func loadOrCreateKeySet(path string, alg jwa.SignatureAlgorithm) (jwk.Set, bool, error) {
	set, err := readKeySet(path)
	if err == nil {
		return set, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key, err := generateKey(alg)
	if err != nil {
		return nil, false, err
	}
	data, err := json.MarshalIndent(jwkSetOf(key), "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("cannot create the secret file's directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tokengate-secret-*")
	if err != nil {
		return nil, false, fmt.Errorf("cannot create the secret file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("cannot write the secret file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) { // another instance was first
			set, err := readKeySet(path)
			return set, false, err
		}
		return nil, false, fmt.Errorf("cannot create the secret file: %w", err)
	}
	return jwkSetOf(key), true, nil
}

// readKeySet reads a JWK set of private keys from path. A file that
// someone else could have written is refused: writable by group or
// others, or owned by another user (anyone who can write it can plant a
// key and sign any token). The checks are made on the opened file.
func readKeySet(path string) (jwk.Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("%s is writable by group or others (mode %04o): anyone who can write it can sign tokens; chmod 600 it", path, fi.Mode().Perm())
	}
	if err := checkOwner(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s is not a JWK set: %w", path, err)
	}
	if set.Len() == 0 {
		return nil, fmt.Errorf("%s holds no key", path)
	}
	return set, nil
}

// generateKey makes a new private key for alg, with a kid and alg set: the
// RFC 7638 thumbprint for asymmetric keys, a random id for a secret (whose
// thumbprint would be a hash of the secret).
func generateKey(alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	var (
		raw any
		err error
	)
	switch alg {
	case jwa.HS256:
		raw, err = internal.RandomBytes(32)
	case jwa.RS256:
		raw, err = rsa.GenerateKey(rand.Reader, 2048)
	case jwa.ES256:
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwa.EdDSA:
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("cannot generate a key for %s", alg)
	}
	if err != nil {
		return nil, err
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, err
	}
	var kid string
	if alg == jwa.HS256 {
		kid, err = internal.Random(16)
	} else {
		var tp []byte
		tp, err = key.Thumbprint(crypto.SHA256)
		kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	if err != nil {
		return nil, err
	}
	_ = key.Set(jwk.KeyIDKey, kid)
	_ = key.Set(jwk.AlgorithmKey, alg)
	_ = key.Set(jwk.KeyUsageKey, jwk.ForSignature)
	return key, nil
}
