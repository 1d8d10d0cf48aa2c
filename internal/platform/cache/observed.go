package cache

import "context"

// Observed wraps c so that each Get that the cache answers reports whether
// it was a hit; a Get the cache could not answer (an error) reports
// nothing.
func Observed(c Cache, record func(hit bool)) Cache {
	if c == nil {
		return nil
	}
	return observed{Cache: c, record: record}
}

type observed struct {
	Cache
	record func(hit bool)
}

func (o observed) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, ok, err := o.Cache.Get(ctx, key)
	if err == nil {
		o.record(ok)
	}
	return b, ok, err
}
