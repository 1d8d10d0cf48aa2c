package library

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"

	"github.com/yogaflow/yogaflow/internal/library/figure"
	"github.com/yogaflow/yogaflow/internal/seeddata"
)

// FigurePath is where the service serves the picture of a built-in pose.
func FigurePath(slug string) string { return "/media/poses/" + slug + ".svg" }

// Picture is a drawn figure, ready to serve.
type Picture struct {
	SVG  []byte
	ETag string // strong: the hash of SVG
}

// builtinPictures draws every built-in pose once, on first use.
var builtinPictures = sync.OnceValues(func() (map[string]Picture, error) {
	poses, err := seeddata.Poses()
	if err != nil {
		return nil, err
	}
	figs, err := seeddata.Figures()
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(poses))
	for _, p := range poses {
		names[p.Slug] = p.EnglishName
	}
	out := make(map[string]Picture, len(figs))
	for _, f := range figs {
		svg := figure.SVG(figure.Place(f.Angles), names[f.Slug])
		sum := sha256.Sum256(svg)
		out[f.Slug] = Picture{SVG: svg, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	}
	return out, nil
})

// BuiltinPicture is the picture of the built-in pose slug; false when there
// is none.
func BuiltinPicture(slug string) (Picture, bool, error) {
	all, err := builtinPictures()
	if err != nil {
		return Picture{}, false, err
	}
	p, ok := all[slug]
	return p, ok, nil
}

// validImageURL accepts a picture served here (a path under /media/) or
// one on another host over HTTPS: nothing that could run script, nor a
// plain-text fetch.
func validImageURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n\\") {
		return false
	}
	if strings.HasPrefix(s, "/media/") {
		u, err := url.Parse(s)
		return err == nil && u.Scheme == "" && u.Host == "" && !strings.Contains(u.Path, "..")
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}
