package account

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// APIKeyPrefix starts every API key, so a key is told from a JWT at a
// glance (and by secret scanners).
const APIKeyPrefix = "yf_"

// newSecret returns a 256-bit random value, URL-safe.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how tokens and keys are stored: SHA-256, hex. The secrets
// are 256-bit random values, so a fast hash is enough.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// accessClaims are the claims of an access token.
type accessClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

const jwtIssuer = "yogaflow"

// tokenSigner issues and checks access tokens: HS256 only, exp required.
type tokenSigner struct {
	secret []byte
	ttl    time.Duration
	parser *jwt.Parser
}

func newTokenSigner(secret []byte, ttl time.Duration, now func() time.Time) *tokenSigner {
	return &tokenSigner{
		secret: secret,
		ttl:    ttl,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(jwtIssuer),
			jwt.WithTimeFunc(now),
		),
	}
}

func (s *tokenSigner) issue(userID, sessionID string, now time.Time) (string, error) {
	claims := accessClaims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    jwtIssuer,
			Subject:   userID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
			ID:        newID(),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// maxLifetime is the longest exp - iat of a token issue makes: the TTL,
// up to the whole second, as both claims are kept in whole seconds.
func (s *tokenSigner) maxLifetime() time.Duration {
	return (s.ttl + time.Second - 1).Truncate(time.Second)
}

// parse checks an access token and returns its user and session.
func (s *tokenSigner) parse(token string) (userID, sessionID string, err error) {
	var claims accessClaims
	_, err = s.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", "", ErrTokenExpired
	case err != nil:
		return "", "", ErrTokenInvalid
	case claims.Subject == "" || claims.SessionID == "":
		return "", "", ErrTokenInvalid
	case claims.IssuedAt == nil || claims.ExpiresAt.Sub(claims.IssuedAt.Time) > s.maxLifetime():
		// Every token this service issues has iat and lives the access
		// TTL: a longer one was made with a leaked secret, or under an
		// older, longer TTL that the operator has since cut.
		return "", "", ErrTokenInvalid
	}
	return claims.Subject, claims.SessionID, nil
}

// sealer encrypts the secrets the database must give back (the emailed
// tokens that wait in the job queue, the successor of a rotated refresh
// token), so it never holds one in the clear. Each use has its own key,
// derived for its purpose.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte, purpose string) (*sealer, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

func (s *sealer) open(sealed string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", fmt.Errorf("sealed token is malformed")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("sealed token does not open: %w", err)
	}
	return string(plain), nil
}
