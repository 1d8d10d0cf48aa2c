package flags

import "slices"

// buckets is how finely a rollout divides users: each bucket is 0.01%.
const buckets = 10_000

// Counter counts the evaluations that gave one variant of one flag.
type Counter interface{ Inc() }

// Meter returns the counter of a flag's variant.
type Meter func(key, variant string) Counter

// compiled is a flag ready to evaluate: what every evaluation would
// otherwise recompute is worked out once, when the flags are loaded.
type compiled struct {
	flag      Flag
	threshold uint64 // users whose rollout bucket is below it are in the rollout
	// The FNV-1a states after hashing the key and a separator: each
	// evaluation hashes only the user ID on.
	rolloutSeed, variantSeed uint64
	names                    []string // variant names; On when the flag has none
	upto                     []uint64 // running total of the weights, per name
	// counters has one counter per name, then the default variant's; nil
	// counts nothing.
	counters []Counter
}

func compile(f Flag, meter Meter) *compiled {
	c := &compiled{
		flag:        f,
		threshold:   uint64(f.RolloutPercent) * buckets / 100, // #nosec G115 -- 0 to 100, checked when the flag is written
		rolloutSeed: fnv(fnvOffset, f.Key+":"),
		variantSeed: fnv(fnvOffset, f.Key+":variant:"),
	}
	var total uint64
	for _, v := range f.Variants {
		total += uint64(v.Weight) // #nosec G115 -- 1 to 10,000, checked when the flag is written
		c.names, c.upto = append(c.names, v.Name), append(c.upto, total)
	}
	if len(c.names) == 0 {
		c.names, c.upto = []string{On}, []uint64{1}
	}
	if meter != nil {
		for _, name := range append(c.names, f.DefaultVariant) {
			c.counters = append(c.counters, meter(f.Key, name))
		}
	}
	return c
}

// pick returns the index in names of the variant u holds, or -1 when u is
// outside the rollout (and so gets the default). The rollout bucket and
// the variant come from two hashes of the key and the user ID with
// different separators: the bucket never depends on the rollout, so
// raising it only adds users, and the variant does not depend on the
// bucket, so every share of the rollout splits by the weights.
func (c *compiled) pick(u User) int {
	if !c.flag.Enabled || u.ID == "" || !c.targets(u.Roles) {
		return -1
	}
	if mix(fnv(c.rolloutSeed, u.ID))%buckets >= c.threshold {
		return -1
	}
	point := mix(fnv(c.variantSeed, u.ID)) % c.upto[len(c.upto)-1]
	// The first variant whose running total passes the point.
	i, _ := slices.BinarySearch(c.upto, point+1)
	return i
}

// targets reports whether a user holding roles may be in the rollout.
func (c *compiled) targets(roles []string) bool {
	if len(c.flag.Roles) == 0 {
		return true
	}
	for _, want := range c.flag.Roles {
		for _, r := range roles {
			if r == want {
				return true
			}
		}
	}
	return false
}

// evaluate gives u's evaluation of the flag and counts it.
func (c *compiled) evaluate(u User) Evaluation {
	i := c.pick(u)
	if c.counters != nil {
		if i < 0 {
			c.counters[len(c.names)].Inc()
		} else {
			c.counters[i].Inc()
		}
	}
	if i < 0 {
		return Evaluation{Variant: c.flag.DefaultVariant}
	}
	return Evaluation{Enabled: true, Variant: c.names[i]}
}

// FNV-1a, 64 bits: stable across processes and releases, unlike
// hash/maphash, so every instance buckets a user alike.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix is MurmurHash3's 64-bit finaliser. FNV-1a alone spreads the last
// bytes of its input poorly in the low bits that a modulo keeps, and user
// IDs differ most in their last bytes.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
