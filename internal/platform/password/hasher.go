package password

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrBusy means no hashing slot became free before the context's deadline or
// the Hasher's maxWait, whichever came first. Callers answer 503 with
// Retry-After.
var ErrBusy = errors.New("password: too many password checks in progress")

// ErrTooLong is returned by Hash for a password over MaxLength bytes, which
// bcrypt would silently truncate. Check refuses such passwords first.
var ErrTooLong = fmt.Errorf("password: %w", bcrypt.ErrPasswordTooLong)

// Hasher hashes and compares passwords with bcrypt at a fixed cost, running
// at most slots bcrypt operations at once (about the number of cores), so a
// login flood cannot starve other requests of CPU. Safe for concurrent use.
type Hasher struct {
	cost    int
	maxWait time.Duration
	slots   chan struct{} // a semaphore: holding a slot is sending to it
	dummy   []byte        // a hash of a random password at cost, for CompareDummy
}

// NewHasher returns a Hasher. It panics if cost is outside bcrypt's range
// (bcrypt would silently use its default below it), slots < 1 or maxWait
// <= 0: these come from validated configuration.
func NewHasher(cost, slots int, maxWait time.Duration) *Hasher {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost || slots < 1 || maxWait <= 0 {
		panic(fmt.Sprintf("password.NewHasher(%d, %d, %v): need %d <= cost <= %d, slots >= 1, maxWait > 0",
			cost, slots, maxWait, bcrypt.MinCost, bcrypt.MaxCost))
	}
	return &Hasher{cost: cost, maxWait: maxWait, slots: make(chan struct{}, slots), dummy: dummyHash(cost)}
}

// bcryptBase64 is bcrypt's own base64 alphabet.
var bcryptBase64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// dummyHash is a well-formed bcrypt hash at cost of no password: a random
// salt and a random digest. Comparing against it runs the whole key
// schedule at cost, as against a real hash, but making it costs nothing;
// hashing a random password at start-up took 0.3 s at cost 12.
func dummyHash(cost int) []byte {
	salt, digest := make([]byte, 16), make([]byte, 23)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(digest)
	return fmt.Appendf(nil, "$2a$%02d$%s%s", cost, bcryptBase64.EncodeToString(salt), bcryptBase64.EncodeToString(digest))
}

// Cost returns the bcrypt cost new hashes are made with.
func (h *Hasher) Cost() int { return h.cost }

// Hash applies the rules of Check to a new password, then returns its
// bcrypt hash. The rules run inside the slot too: zxcvbn on crafted input
// costs as much CPU as a hash, and must be bounded the same way. It returns
// ErrTooLong for a password over MaxLength bytes, a *RuleError, and ErrBusy
// or context.Canceled if it gets no slot.
func (h *Hasher) Hash(ctx context.Context, pw string, in Inputs) (string, error) {
	if len(pw) > MaxLength {
		return "", ErrTooLong
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	if err := Check(pw, in); err != nil {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost)
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(hash), nil
}

// Compare reports whether pw matches hash, which may have any bcrypt cost. A
// malformed hash is an error, a mismatch is (false, nil); no slot is ErrBusy
// or context.Canceled.
func (h *Hasher) Compare(ctx context.Context, hash, pw string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	switch err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)); {
	case err == nil:
		// bcrypt ignores bytes after the 72nd, so a stored 72-byte password
		// followed by anything gets here. Hash stores none longer: a longer
		// one is a mismatch. It was still hashed, so it takes as long.
		return len(pw) <= MaxLength, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("password: compare: %w", err)
	}
}

// CompareDummy spends as long as a Compare against a hash at the current cost
// and returns only ErrBusy or context.Canceled, so a login for an unknown
// email takes as long as one with a wrong password.
func (h *Hasher) CompareDummy(ctx context.Context, pw string) error {
	release, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	// The result is meaningless: only the time spent matters.
	_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(pw))
	return nil
}

// acquire waits for a free slot until ctx is done or maxWait passes, and
// returns the function that gives the slot back. A bcrypt operation cannot be
// stopped once started, so ctx bounds only the wait.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	// A request already dead should not spend a hash, even with a slot free.
	if err := ctx.Err(); err != nil {
		return nil, waitErr(err)
	}
	wait, cancel := context.WithTimeout(ctx, h.maxWait)
	defer cancel()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-wait.Done():
		return nil, waitErr(ctx.Err())
	}
}

// waitErr turns the end of a wait into ErrBusy, unless the caller gave up
// (ctx canceled), which is no sign of load and asks for no Retry-After.
func waitErr(ctxErr error) error {
	if errors.Is(ctxErr, context.Canceled) {
		return ctxErr
	}
	return ErrBusy
}
