package httpapi_test

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestEveryBuiltInPoseHasAPicture: after seeding, each built-in pose's
// image_url is its figure on this site, which answers with an SVG that a
// client can keep and revalidate.
func TestEveryBuiltInPoseHasAPicture(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		if _, err := a.Library.SeedIfEmpty(t.Context()); err != nil {
			t.Fatal(err)
		}
		var poses []any
		cursor := ""
		for {
			res := a.Do(t, "GET", "/api/v1/poses?limit=100&cursor="+url.QueryEscape(cursor), nil)
			res.Check(t, apptest.Scenario{Status: 200})
			items, _ := apptest.Field(res.JSON(t), "items")
			poses = append(poses, items.([]any)...)
			next, _ := apptest.Field(res.JSON(t), "next_cursor")
			if next == nil {
				break
			}
			cursor = next.(string)
		}
		if len(poses) != 104 {
			t.Fatalf("%d poses, want the 104 built-in ones", len(poses))
		}
		seen := map[string]string{}
		for _, p := range poses {
			p := p.(map[string]any)
			slug := p["slug"].(string)
			want := "/media/poses/" + slug + ".svg"
			if p["image_url"] != want {
				t.Errorf("%s: image_url %v, want %s", slug, p["image_url"], want)
				continue
			}
			res := a.Do(t, "GET", want, nil)
			res.Check(t, apptest.Scenario{Status: 200, ContentType: "image/svg+xml",
				Header: map[string]string{"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}})
			if !bytes.HasPrefix(res.Body, []byte("<svg ")) || !bytes.Contains(res.Body, []byte("<title>"+html.EscapeString(p["english_name"].(string))+"</title>")) {
				t.Errorf("%s: not an SVG titled with the pose's name: %.200s", slug, res.Body)
			}
			if other, twice := seen[string(res.Body)]; twice {
				t.Errorf("%s and %s have the same picture", slug, other)
			}
			seen[string(res.Body)] = slug
			etag := res.Header.Get("ETag")
			if len(etag) < 10 || etag[0] != '"' {
				t.Errorf("%s: ETag %q is not a strong validator", slug, etag)
			}
			again := a.Do(t, "GET", want, nil, "If-None-Match", etag)
			again.Check(t, apptest.Scenario{Status: 304})
			if len(again.Body) != 0 {
				t.Errorf("%s: a 304 with a body", slug)
			}
		}
		a.Do(t, "GET", "/media/poses/no-such-pose.svg", nil).Check(t, apptest.Scenario{Status: 404, ContentType: "application/problem+json"})
		a.Do(t, "GET", "/media/poses/Tree.svg", nil).Check(t, apptest.Scenario{Status: 422, ContentType: "application/problem+json"})
	})
}

// TestEditorsReplaceAPicture: an editor points a pose at another picture,
// here or over HTTPS, or clears it; nothing else is stored.
func TestEditorsReplaceAPicture(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		if _, err := a.Library.SeedIfEmpty(t.Context()); err != nil {
			t.Fatal(err)
		}
		admin := newAdmin(t, a)
		patch := func(image string) *apptest.Response {
			return a.Do(t, "PATCH", "/api/v1/admin/poses/tree-pose", map[string]any{"image_url": image}, bearer(admin.access)...)
		}
		for _, good := range []string{"/media/poses/mountain-pose.svg", "https://cdn.example.com/poses/tree.jpg"} {
			patch(good).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"image_url": good}})
		}
		for _, bad := range []string{"javascript:alert(1)", "http://cdn.example.com/tree.jpg", "data:image/svg+xml,<svg/>",
			"//evil.example.com/tree.jpg", "/media/../admin", "https://user:pw@cdn.example.com/t.jpg", "/api/v1/poses", "https://cdn.example.com/a b.jpg"} {
			res := patch(bad)
			res.Check(t, apptest.Scenario{Status: 422})
			if f, _ := apptest.Field(res.JSON(t), "errors.0.field"); fmt.Sprint(f) != "body.image_url" && fmt.Sprint(f) != "image_url" {
				t.Errorf("%q: the error names %v, not image_url", bad, f)
			}
		}
		a.Do(t, "GET", "/api/v1/poses/tree-pose", nil).Check(t, apptest.Scenario{Status: 200,
			JSON: map[string]any{"image_url": "https://cdn.example.com/poses/tree.jpg"}})
		patch("").Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"image_url": nil}})
	})
}
