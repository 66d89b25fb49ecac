package core

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// family groups the JWS algorithms that share a key type.
type family uint8

const (
	famHMAC family = iota + 1
	famRSA
	famEC
	famEdDSA
)

// algFamily returns the key family of a supported JWS algorithm. "none" and
// anything unknown are unsupported.
func algFamily(a jwa.SignatureAlgorithm) (family, bool) {
	switch a {
	case jwa.HS256, jwa.HS384, jwa.HS512:
		return famHMAC, true
	case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512:
		return famRSA, true
	case jwa.ES256, jwa.ES384, jwa.ES512:
		return famEC, true
	case jwa.EdDSA:
		return famEdDSA, true
	}
	return 0, false
}

// algsFor lists the algorithms a key family can verify.
func algsFor(f family) []jwa.SignatureAlgorithm {
	switch f {
	case famHMAC:
		return []jwa.SignatureAlgorithm{jwa.HS256, jwa.HS384, jwa.HS512}
	case famRSA:
		return []jwa.SignatureAlgorithm{jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512}
	case famEC:
		return []jwa.SignatureAlgorithm{jwa.ES256, jwa.ES384, jwa.ES512}
	case famEdDSA:
		return []jwa.SignatureAlgorithm{jwa.EdDSA}
	}
	return nil
}

// curveFor is the curve an ECDSA algorithm requires (RFC 7518 §3.4).
func curveFor(a jwa.SignatureAlgorithm) elliptic.Curve {
	switch a {
	case jwa.ES256:
		return elliptic.P256()
	case jwa.ES384:
		return elliptic.P384()
	case jwa.ES512:
		return elliptic.P521()
	}
	return nil
}

// verifyKey is one key ready for jws.Verify: the raw Go key, so that no
// JWK conversion happens per token.
type verifyKey struct {
	kid string
	alg jwa.SignatureAlgorithm // the JWK's "alg", "" when unset
	fam family
	raw any // []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// fits reports whether k may verify a token signed with alg: same key
// family (so an HMAC algorithm never meets a public key), the curve the
// algorithm requires, and the JWK's own alg when it names one.
func (k *verifyKey) fits(alg jwa.SignatureAlgorithm) bool {
	f, ok := algFamily(alg)
	if !ok || f != k.fam {
		return false
	}
	if k.alg != "" && k.alg != alg {
		return false
	}
	if k.fam == famEC {
		return k.raw.(*ecdsa.PublicKey).Curve == curveFor(alg)
	}
	return true
}

// keyIndex is an immutable set of verification keys.
type keyIndex struct {
	keys []verifyKey
	fams map[family]bool
}

// maxCandidates bounds the keys one token is tried against. A token
// without kid fits every key of its type: against a set of thousands of
// keys, one forged token would cost thousands of signature checks.
// Providers publish a handful of keys, and put kids on them when they
// have more than one.
const maxCandidates = 4

// candidates returns the keys that may verify a token with this kid and
// alg, at most maxCandidates of them, in the set's order. A token's kid
// selects keys with that kid; keys without a kid (PEM keys, say) fit any
// token.
func (ix *keyIndex) candidates(kid string, alg jwa.SignatureAlgorithm) []verifyKey {
	if ix == nil {
		return nil
	}
	var out []verifyKey
	for i := 0; i < len(ix.keys) && len(out) < maxCandidates; i++ {
		k := &ix.keys[i]
		if kid != "" && k.kid != "" && k.kid != kid {
			continue
		}
		if k.fits(alg) {
			out = append(out, *k)
		}
	}
	return out
}

func (ix *keyIndex) add(k verifyKey) {
	ix.keys = append(ix.keys, k)
	if ix.fams == nil {
		ix.fams = map[family]bool{}
	}
	ix.fams[k.fam] = true
}

// addSet adds the public signing keys of a JWK set. Symmetric keys and
// keys meant for encryption are skipped: a key set never supplies an HMAC
// key. strict makes an unusable key an error (configured keys) rather than
// skipping it (a remote key set may hold keys for others).
func (ix *keyIndex) addSet(set jwk.Set, strict bool) error {
	ctx := context.Background()
	for it := set.Keys(ctx); it.Next(ctx); {
		key := it.Pair().Value.(jwk.Key)
		k, err := toVerifyKey(key)
		if err != nil {
			if strict {
				return err
			}
			continue
		}
		ix.add(k)
	}
	return nil
}

func toVerifyKey(key jwk.Key) (verifyKey, error) {
	if u := key.KeyUsage(); u != "" && u != string(jwk.ForSignature) {
		return verifyKey{}, fmt.Errorf("key %q is not for signatures", key.KeyID())
	}
	// RFC 7517 §4.3: key_ops, when present, must allow verification.
	if ops := key.KeyOps(); len(ops) > 0 && !slices.Contains(ops, jwk.KeyOpVerify) {
		return verifyKey{}, fmt.Errorf("key %q: key_ops does not allow verify", key.KeyID())
	}
	if key.KeyType() == jwa.OctetSeq {
		return verifyKey{}, fmt.Errorf("symmetric key %q in a key set: use HMACSecret", key.KeyID())
	}
	pub, err := key.PublicKey()
	if err != nil {
		return verifyKey{}, fmt.Errorf("key %q: %w", key.KeyID(), err)
	}
	var raw any
	if err := pub.Raw(&raw); err != nil {
		return verifyKey{}, fmt.Errorf("key %q: %w", key.KeyID(), err)
	}
	k := verifyKey{kid: key.KeyID(), raw: raw}
	if a := key.Algorithm(); a != nil && a.String() != "" {
		k.alg = jwa.SignatureAlgorithm(a.String())
	}
	switch r := raw.(type) {
	case *rsa.PublicKey:
		if r.N.BitLen() < 2048 {
			return verifyKey{}, fmt.Errorf("RSA key %q is shorter than 2048 bits", key.KeyID())
		}
		k.fam = famRSA
	case *ecdsa.PublicKey:
		k.fam = famEC
	case ed25519.PublicKey:
		k.fam = famEdDSA
	default:
		return verifyKey{}, fmt.Errorf("key %q: unsupported key type %T", key.KeyID(), raw)
	}
	if k.alg != "" {
		if f, ok := algFamily(k.alg); !ok || f != k.fam {
			return verifyKey{}, fmt.Errorf("key %q: alg %q does not fit the key", key.KeyID(), k.alg)
		}
	}
	return k, nil
}

// staticKeys builds the index of the Config's own keys.
func staticKeys(c *Config) (*keyIndex, error) {
	ix := &keyIndex{}
	if len(c.HMACSecret) > 0 {
		secret := append([]byte(nil), c.HMACSecret...)
		ix.add(verifyKey{fam: famHMAC, raw: secret})
	}
	if len(c.PublicKeysPEM) > 0 {
		set, err := jwk.Parse(c.PublicKeysPEM, jwk.WithPEM(true))
		if err != nil {
			return nil, &ConfigError{Field: "PublicKeysPEM", Err: fmt.Errorf("cannot parse PEM: %w", err)}
		}
		if err := ix.addSet(set, true); err != nil {
			return nil, &ConfigError{Field: "PublicKeysPEM", Err: err}
		}
	}
	if c.Keys != nil {
		if err := ix.addSet(c.Keys, true); err != nil {
			return nil, &ConfigError{Field: "Keys", Err: err}
		}
	}
	return ix, nil
}

// allowlist returns the algorithms an issuer's tokens may use, each with
// the jwx verifier that checks its signatures (verifiers are stateless, so
// one of each serves every token): algs when set, otherwise every
// algorithm that fits the issuer's static keys (all asymmetric ones when
// its keys are remote, as they are not known yet). field names algs in
// errors.
func allowlist(algs []string, field string, static *keyIndex, remote bool) (map[jwa.SignatureAlgorithm]jws.Verifier, error) {
	var allowed []jwa.SignatureAlgorithm
	if len(algs) > 0 {
		for _, a := range algs {
			alg := jwa.SignatureAlgorithm(a)
			f, ok := algFamily(alg)
			if !ok {
				return nil, fieldErr(field, "unsupported algorithm %q", a)
			}
			if f == famHMAC && !static.fams[famHMAC] {
				return nil, fieldErr(field, "%s needs HMACSecret", a)
			}
			allowed = append(allowed, alg)
		}
	} else {
		for f := range static.fams {
			allowed = append(allowed, algsFor(f)...)
		}
		if remote {
			for _, f := range []family{famRSA, famEC, famEdDSA} {
				allowed = append(allowed, algsFor(f)...)
			}
		}
	}
	out := make(map[jwa.SignatureAlgorithm]jws.Verifier, len(allowed))
	for _, alg := range allowed {
		v, err := jws.NewVerifier(alg)
		if err != nil {
			return nil, fieldErr(field, "%s: %v", alg, err)
		}
		out[alg] = v
	}
	return out, nil
}
